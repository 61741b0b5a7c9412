import type { ApplicationAttributes, ApplicationConfiguration } from './app-attributes.js';
import type { DeviceInformationQuery, InstalledApplicationItem } from './query-names.js';
import type { BlobRef, SealedRef } from './refs.js';
import type { RequestType } from './request-types.js';
import type { SettingsItem } from './settings-items.js';

/*
 * A command as the queue keeps it. `requestType` is ours (the discriminator); every other key is
 * Apple's own name for the parameter, so rendering to the command dictionary is a plain copy except
 * for references: large payloads are BlobRefs and secrets are SealedRefs, resolved only at delivery.
 */

export type InstallProfileRequest = { readonly requestType: 'InstallProfile'; readonly Payload: BlobRef };
export type RemoveProfileRequest = { readonly requestType: 'RemoveProfile'; readonly Identifier: string };
export type SettingsRequest = { readonly requestType: 'Settings'; readonly Settings: SettingsItem[] };

/** 1: remove the app with the MDM profile, 4: prevent backup of its data, 5: both. */
export type ManagementFlags = 1 | 4 | 5;

/** Exactly one of `iTunesStoreID`, `Identifier` (bundle id) and `ManifestURL` names the app. */
export type InstallApplicationRequest = {
  readonly requestType: 'InstallApplication';
  readonly iTunesStoreID?: number;
  readonly Identifier?: string;
  /** https only. */
  readonly ManifestURL?: string;
  /** PurchaseMethod 0: legacy Volume Purchase Program, 1: Apps and Books (device or user licence). */
  readonly Options?: { readonly PurchaseMethod?: 0 | 1 };
  readonly ManagementFlags?: ManagementFlags;
  readonly Configuration?: ApplicationConfiguration;
  readonly Attributes?: ApplicationAttributes;
  /** Take over management of an app the user installed; requires `InstallAsManaged`. */
  readonly ChangeManagementState?: 'Managed';
  readonly InstallAsManaged?: boolean;
  readonly iOSApp?: boolean;
};

export type RemoveApplicationRequest = { readonly requestType: 'RemoveApplication'; readonly Identifier: string };
export type ManagedApplicationListRequest = { readonly requestType: 'ManagedApplicationList'; readonly Identifiers?: string[] };
export type InstalledApplicationListRequest = {
  readonly requestType: 'InstalledApplicationList';
  readonly Identifiers?: string[];
  readonly ManagedAppsOnly?: boolean;
  readonly Items?: InstalledApplicationItem[];
};
export type InstallProvisioningProfileRequest = { readonly requestType: 'InstallProvisioningProfile'; readonly ProvisioningProfile: BlobRef };
export type RemoveProvisioningProfileRequest = { readonly requestType: 'RemoveProvisioningProfile'; readonly UUID: string };
export type ProvisioningProfileListRequest = { readonly requestType: 'ProvisioningProfileList'; readonly ManagedOnly?: boolean };

export type ObliterationBehavior = 'Default' | 'DoNotObliterate' | 'ObliterateWithWarning' | 'Always';

export type ReturnToService = {
  readonly Enabled: boolean;
  readonly WiFiProfileData?: BlobRef;
  readonly MDMProfileData?: BlobRef;
};

export type EraseDeviceRequest = {
  readonly requestType: 'EraseDevice';
  /** macOS Find My PIN (six digits), sealed. */
  readonly PIN?: SealedRef;
  readonly PreserveDataPlan?: boolean;
  readonly DisallowProximitySetup?: boolean;
  readonly ObliterationBehavior?: ObliterationBehavior;
  readonly ReturnToService?: ReturnToService;
};

export type DeviceLockRequest = {
  readonly requestType: 'DeviceLock';
  readonly Message?: string;
  readonly PhoneNumber?: string;
  /** macOS Find My PIN (six digits), sealed. */
  readonly PIN?: SealedRef;
};

/** `UnlockToken` is the device's own, from its TokenUpdate, as stored (sealed). */
export type ClearPasscodeRequest = { readonly requestType: 'ClearPasscode'; readonly UnlockToken: SealedRef };
export type DeviceInformationRequest = { readonly requestType: 'DeviceInformation'; readonly Queries: DeviceInformationQuery[] };
export type SecurityInfoRequest = { readonly requestType: 'SecurityInfo' };
export type ProfileListRequest = { readonly requestType: 'ProfileList'; readonly ManagedOnly?: boolean };
export type CertificateListRequest = { readonly requestType: 'CertificateList'; readonly ManagedOnly?: boolean };
export type RestrictionsRequest = { readonly requestType: 'Restrictions'; readonly ProfileRestrictions?: boolean };

export type CommandRequest =
  | InstallProfileRequest
  | RemoveProfileRequest
  | SettingsRequest
  | InstallApplicationRequest
  | RemoveApplicationRequest
  | ManagedApplicationListRequest
  | InstalledApplicationListRequest
  | InstallProvisioningProfileRequest
  | RemoveProvisioningProfileRequest
  | ProvisioningProfileListRequest
  | EraseDeviceRequest
  | DeviceLockRequest
  | ClearPasscodeRequest
  | DeviceInformationRequest
  | SecurityInfoRequest
  | ProfileListRequest
  | CertificateListRequest
  | RestrictionsRequest;

export type CommandRequestOf<T extends RequestType> = Extract<CommandRequest, { requestType: T }>;

/** Every parameter each request type may carry (Apple's key names), besides `requestType`. */
export const PARAMETER_KEYS: { readonly [T in RequestType]: ReadonlyArray<Exclude<keyof CommandRequestOf<T>, 'requestType'>> } = {
  InstallProfile: ['Payload'],
  RemoveProfile: ['Identifier'],
  Settings: ['Settings'],
  InstallApplication: [
    'iTunesStoreID', 'Identifier', 'ManifestURL', 'Options', 'ManagementFlags', 'Configuration', 'Attributes',
    'ChangeManagementState', 'InstallAsManaged', 'iOSApp',
  ],
  RemoveApplication: ['Identifier'],
  ManagedApplicationList: ['Identifiers'],
  InstalledApplicationList: ['Identifiers', 'ManagedAppsOnly', 'Items'],
  InstallProvisioningProfile: ['ProvisioningProfile'],
  RemoveProvisioningProfile: ['UUID'],
  ProvisioningProfileList: ['ManagedOnly'],
  EraseDevice: ['PIN', 'PreserveDataPlan', 'DisallowProximitySetup', 'ObliterationBehavior', 'ReturnToService'],
  DeviceLock: ['Message', 'PhoneNumber', 'PIN'],
  ClearPasscode: ['UnlockToken'],
  DeviceInformation: ['Queries'],
  SecurityInfo: [],
  ProfileList: ['ManagedOnly'],
  CertificateList: ['ManagedOnly'],
  Restrictions: ['ProfileRestrictions'],
};
