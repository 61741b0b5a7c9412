import { createHash, randomBytes } from 'node:crypto';
import type { CommandRequest, RequestType } from '../../domain/commands/index.js';
import type { BlobRef, SealedRef } from '../../domain/commands/refs.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import type { CommandResolvers } from '../../infrastructure/mdm-commands/render-command.js';
import { AesGcmSecretBox } from '../../infrastructure/pki/aes-gcm-secret-box.js';

/** A real SecretBox and an in-memory content-addressed blob store, as delivery would use them. */
export const box = new AesGcmSecretBox(randomBytes(32));
export const contextFor = (parameter: string): string => (parameter === 'UnlockToken' ? 'device-TEST/unlock-token' : `command/${parameter}`);
export const seal = (clear: string | Buffer, parameter: string): SealedRef => ({ sealed: box.seal(clear, contextFor(parameter)) as Sealed });

const blobs = new Map<string, Buffer>();
export function storeBlob(bytes: Buffer): BlobRef {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  blobs.set(`sha256-${sha256}`, bytes);
  return { blobId: `sha256-${sha256}`, sha256, size: bytes.length };
}

export const resolvers: CommandResolvers = {
  blob: async (ref) => {
    const bytes = blobs.get(ref.blobId);
    if (!bytes) throw new Error(`no blob ${ref.blobId}`);
    return bytes;
  },
  secret: (ref, parameter) => box.open(ref.sealed, contextFor(parameter)),
};

export const profileBytes = Buffer.from('<?xml version="1.0"?><plist version="1.0"><dict><key>PayloadType</key><string>Configuration</string></dict></plist>');
export const provisioningBytes = randomBytes(2048);
export const wallpaperBytes = randomBytes(512);
export const wifiProfileBytes = Buffer.from('wifi profile');
export const mdmProfileBytes = Buffer.from('mdm profile');
export const unlockTokenBytes = randomBytes(96);

export const profileRef = storeBlob(profileBytes);
export const provisioningRef = storeBlob(provisioningBytes);
export const wallpaperRef = storeBlob(wallpaperBytes);
export const wifiProfileRef = storeBlob(wifiProfileBytes);
export const mdmProfileRef = storeBlob(mdmProfileBytes);
export const unlockTokenRef = seal(unlockTokenBytes, 'UnlockToken');
export const pinRef = seal('123456', 'PIN');

const attributes = {
  VPNUUID: 'B1E5C3A0-1D2C-4E4F-9A8B-7C6D5E4F3A2B',
  ContentFilterUUID: 'filter-1',
  DNSProxyUUID: 'dns-1',
  RelayUUID: 'relay-1',
  AssociatedDomains: ['applinks:example.com', 'webcredentials:example.com'],
  AssociatedDomainsEnableDirectDownloads: false,
  Removable: false,
  TapToPayScreenLock: true,
  CellularSliceUUID: 'DNN:enterprise',
  Hideable: false,
  Lockable: true,
};

/** Every parameter each request type can carry, with plausible values: the widest commands we emit. */
export const fullRequests: { readonly [T in RequestType]: Extract<CommandRequest, { requestType: T }> } = {
  InstallProfile: { requestType: 'InstallProfile', Payload: profileRef },
  RemoveProfile: { requestType: 'RemoveProfile', Identifier: 'com.example.wifi' },
  Settings: {
    requestType: 'Settings',
    Settings: [
      { Item: 'DataRoaming', Enabled: false },
      { Item: 'VoiceRoaming', Enabled: true },
      { Item: 'PersonalHotspot', Enabled: false },
      { Item: 'Bluetooth', Enabled: true },
      { Item: 'DiagnosticSubmission', Enabled: false },
      { Item: 'AppAnalytics', Enabled: false },
      { Item: 'DeviceName', DeviceName: 'Front Desk iPad' },
      { Item: 'HostName', HostName: 'front-desk.example.com' },
      { Item: 'TimeZone', TimeZone: 'America/Argentina/Buenos_Aires' },
      { Item: 'PasscodeLockGracePeriod', PasscodeLockGracePeriod: 300 },
      { Item: 'SoftwareUpdateSettings', RecommendationCadence: 1 },
      { Item: 'MaximumResidentUsers', MaximumResidentUsers: 8 },
      {
        Item: 'OrganizationInfo',
        OrganizationInfo: {
          OrganizationName: 'Example Corp',
          OrganizationShortName: 'Example',
          OrganizationAddress: '1 Infinite Loop\nCupertino',
          OrganizationPhone: '+1 555 0100',
          OrganizationEmail: 'it@example.com',
          OrganizationMagic: 'magic-1',
        },
      },
      { Item: 'MDMOptions', MDMOptions: { ActivationLockAllowedWhileSupervised: true, BootstrapTokenAllowed: true, PromptUserToAllowBootstrapTokenForAuthentication: false } },
      {
        Item: 'AccessibilitySettings',
        BoldTextEnabled: true, IncreaseContrastEnabled: false, ReduceMotionEnabled: true, ReduceTransparencyEnabled: false, TextSize: 6,
        TouchAccommodationsEnabled: false, VoiceOverEnabled: false, ZoomEnabled: true, GrayscaleEnabled: false,
      },
      { Item: 'Wallpaper', Image: wallpaperRef, Where: 3 },
      { Item: 'ApplicationConfiguration', Identifier: 'com.example.app', Configuration: { server: 'https://api.example.com', retries: 3, ratio: 0.5, flags: [true, 'x'], nested: { a: 1 } } },
      { Item: 'ApplicationAttributes', Identifier: 'com.example.app', Attributes: attributes },
    ],
  },
  InstallApplication: {
    requestType: 'InstallApplication',
    iTunesStoreID: 284882215,
    Options: { PurchaseMethod: 1 },
    ManagementFlags: 5,
    Configuration: { server: 'https://api.example.com' },
    Attributes: attributes,
    ChangeManagementState: 'Managed',
    InstallAsManaged: true,
    iOSApp: false,
  },
  RemoveApplication: { requestType: 'RemoveApplication', Identifier: 'com.example.app' },
  ManagedApplicationList: { requestType: 'ManagedApplicationList', Identifiers: ['com.example.app', 'com.example.other'] },
  InstalledApplicationList: { requestType: 'InstalledApplicationList', Identifiers: ['com.example.app'], ManagedAppsOnly: true, Items: ['Name', 'Version', 'BundleSize'] },
  InstallProvisioningProfile: { requestType: 'InstallProvisioningProfile', ProvisioningProfile: provisioningRef },
  RemoveProvisioningProfile: { requestType: 'RemoveProvisioningProfile', UUID: '4F0C2E8A-9B1D-4C3E-8F7A-6B5C4D3E2F10' },
  ProvisioningProfileList: { requestType: 'ProvisioningProfileList', ManagedOnly: true },
  EraseDevice: {
    requestType: 'EraseDevice',
    PIN: pinRef,
    PreserveDataPlan: true,
    DisallowProximitySetup: true,
    ObliterationBehavior: 'DoNotObliterate',
    ReturnToService: { Enabled: true, WiFiProfileData: wifiProfileRef, MDMProfileData: mdmProfileRef },
  },
  DeviceLock: { requestType: 'DeviceLock', Message: 'This iPad belongs to Example Corp.\nPlease call us.', PhoneNumber: '+1 (555) 010-0100', PIN: pinRef },
  ClearPasscode: { requestType: 'ClearPasscode', UnlockToken: unlockTokenRef },
  DeviceInformation: { requestType: 'DeviceInformation', Queries: ['UDID', 'DeviceName', 'OSVersion', 'BatteryLevel', 'IsSupervised', 'WiFiMAC'] },
  SecurityInfo: { requestType: 'SecurityInfo' },
  ProfileList: { requestType: 'ProfileList', ManagedOnly: false },
  CertificateList: { requestType: 'CertificateList', ManagedOnly: true },
  Restrictions: { requestType: 'Restrictions', ProfileRestrictions: true },
};

/** The least each request type needs. */
export const minimalRequests: { readonly [T in RequestType]: Extract<CommandRequest, { requestType: T }> } = {
  ...fullRequests,
  Settings: { requestType: 'Settings', Settings: [{ Item: 'DataRoaming', Enabled: true }] },
  InstallApplication: { requestType: 'InstallApplication', ManifestURL: 'https://apps.example.com/app/manifest.plist' },
  ManagedApplicationList: { requestType: 'ManagedApplicationList' },
  InstalledApplicationList: { requestType: 'InstalledApplicationList' },
  ProvisioningProfileList: { requestType: 'ProvisioningProfileList' },
  EraseDevice: { requestType: 'EraseDevice' },
  DeviceLock: { requestType: 'DeviceLock' },
  DeviceInformation: { requestType: 'DeviceInformation', Queries: ['UDID'] },
  ProfileList: { requestType: 'ProfileList' },
  CertificateList: { requestType: 'CertificateList' },
  Restrictions: { requestType: 'Restrictions' },
};

/** Requests that use parameters the widest one cannot hold at the same time (InstallApplication takes one app source). */
export const alternativeRequests: CommandRequest[] = [
  { requestType: 'InstallApplication', Identifier: 'com.example.app', InstallAsManaged: true, ManagementFlags: 1 },
];

/** Every fixture request: the widest, the smallest and the alternatives. */
export const allRequests: CommandRequest[] = [...Object.values(fullRequests), ...Object.values(minimalRequests), ...alternativeRequests];
