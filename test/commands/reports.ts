import plist from 'plist';
import type { JsonObject } from '../../domain/shared/json.js';
import { reportToJson } from '../../infrastructure/mdm-commands/report-json.js';

/** Reports as devices send them (XML plists), turned JSON-safe the way the integrator does. */
export function report(body: string): JsonObject {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CommandUUID</key><string>0E2C7B8F-3C4D-4E5F-8A9B-1C2D3E4F5A6B</string>
  <key>Status</key><string>Acknowledged</string>
  <key>UDID</key><string>00008030-001A2B3C4D5E6F70</string>
  ${body}
</dict>
</plist>`;
  return reportToJson(plist.parse(xml))!;
}

export const pushTokenBase64 = Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90', 'hex').toString('base64');

export const deviceInformationXml = `
  <key>QueryResponses</key>
  <dict>
    <key>AvailableDeviceCapacity</key><real>47.91</real>
    <key>BatteryLevel</key><real>0.87</real>
    <key>BluetoothMAC</key><string>a4:83:e7:12:34:56</string>
    <key>BuildVersion</key><string>21E236</string>
    <key>CarrierSettingsVersion</key><string>57.0</string>
    <key>CurrentCarrierNetwork</key><string>Orange F</string>
    <key>DataRoamingEnabled</key><false/>
    <key>DeviceCapacity</key><real>128</real>
    <key>DeviceName</key><string>Alice’s iPhone</string>
    <key>ICCID</key><string>8933 0123 4567 8901 234</string>
    <key>IMEI</key><string>35 123456 789012 3</string>
    <key>IsSupervised</key><true/>
    <key>MEID</key><string>35123456789012</string>
    <key>Model</key><string>MLPF3</string>
    <key>ModelName</key><string>iPhone</string>
    <key>ModemFirmwareVersion</key><string>2.50.01</string>
    <key>OSVersion</key><string>17.4</string>
    <key>PhoneNumber</key><string>+33 6 12 34 56 78</string>
    <key>ProductName</key><string>iPhone14,5</string>
    <key>SerialNumber</key><string>F2LXK0XXHG7F</string>
    <key>SubscriberCarrierNetwork</key><string>Orange F</string>
    <key>UDID</key><string>00008030-001A2B3C4D5E6F70</string>
    <key>VoiceRoamingEnabled</key><true/>
    <key>WiFiMAC</key><string>a4:83:e7:65:43:21</string>
    <key>IsActivationLockEnabled</key><true/>
    <key>LastCloudBackupDate</key><date>2026-10-30T22:14:05Z</date>
    <key>PushToken</key><data>${pushTokenBase64}</data>
    <key>ServiceSubscriptions</key>
    <array>
      <dict>
        <key>CarrierSettingsVersion</key><string>57.0</string>
        <key>IsDataPreferred</key><true/>
        <key>Label</key><string>Primary</string>
        <key>Slot</key><string>CTSubscriptionSlotOne</string>
      </dict>
    </array>
  </dict>`;

export const securityInfoXml = `
  <key>SecurityInfo</key>
  <dict>
    <key>AuthenticatedRootVolumeEnabled</key><true/>
    <key>BootstrapTokenAllowedForAuthentication</key><string>allowed</string>
    <key>FDE_Enabled</key><true/>
    <key>FDE_HasInstitutionalRecoveryKey</key><false/>
    <key>FDE_HasPersonalRecoveryKey</key><true/>
    <key>FDE_PersonalRecoveryKeyCMS</key><data>MIIBsgYJKoZIhvcNAQcDoIIBozCCAZ8CAQAxggFa</data>
    <key>FDE_PersonalRecoveryKeyDeviceKey</key><string>C02XL0XXJGH5</string>
    <key>FirewallSettings</key>
    <dict>
      <key>Applications</key>
      <array>
        <dict><key>Allowed</key><true/><key>BundleID</key><string>com.example.zoom</string><key>Name</key><string>Zoom</string></dict>
        <dict><key>Allowed</key><false/><key>BundleID</key><string>com.apple.Safari</string><key>Name</key><string>Safari</string></dict>
      </array>
      <key>BlockAllIncoming</key><false/>
      <key>FirewallEnabled</key><true/>
      <key>LoggingEnabled</key><true/>
      <key>LoggingOption</key><string>throttled</string>
      <key>StealthMode</key><true/>
    </dict>
    <key>FirmwarePasswordStatus</key>
    <dict><key>AllowOroms</key><true/><key>ChangePending</key><false/><key>PasswordExists</key><false/></dict>
    <key>ManagementStatus</key>
    <dict>
      <key>EnrolledViaDEP</key><false/>
      <key>IsActivationLockManageable</key><false/>
      <key>IsUserEnrollment</key><false/>
      <key>UserApprovedEnrollment</key><true/>
    </dict>
    <key>RemoteDesktopEnabled</key><false/>
    <key>SecureBoot</key>
    <dict>
      <key>ExternalBootLevel</key><string>disallowed</string>
      <key>ReducedSecurity</key><array><string>AllowsMDM</string><string>AllowsAnyAppleSignedOS</string></array>
      <key>SecureBootLevel</key><string>medium</string>
    </dict>
    <key>SystemIntegrityProtectionEnabled</key><true/>
    <key>IsRecoveryLockEnabled</key><false/>
    <key>HardwareEncryptionCaps</key><integer>3</integer>
    <key>PasscodePresent</key><true/>
    <key>PasscodeCompliant</key><true/>
    <key>PasscodeCompliantWithProfiles</key><true/>
  </dict>`;

export const signerDer = Buffer.from('3082010a02820101', 'hex');

export const profileListXml = `
  <key>ProfileList</key>
  <array>
    <dict>
      <key>HasRemovalPasscode</key><false/>
      <key>IsEncrypted</key><false/>
      <key>IsManaged</key><true/>
      <key>PayloadContent</key>
      <array>
        <dict>
          <key>PayloadDescription</key><string>Configures Wi-Fi settings</string>
          <key>PayloadDisplayName</key><string>Wi-Fi (Corp)</string>
          <key>PayloadIdentifier</key><string>com.example.wifi.payload</string>
          <key>PayloadType</key><string>com.apple.wifi.managed</string>
          <key>PayloadUUID</key><string>5C0F2D1E-3B4A-4C5D-8E7F-9A0B1C2D3E4F</string>
          <key>PayloadVersion</key><integer>1</integer>
        </dict>
        <dict>
          <key>PayloadIdentifier</key><string>com.example.wifi.ca</string>
          <key>PayloadType</key><string>com.apple.security.root</string>
          <key>PayloadVersion</key><integer>1</integer>
        </dict>
      </array>
      <key>PayloadDisplayName</key><string>Corporate Wi-Fi</string>
      <key>PayloadIdentifier</key><string>com.example.wifi</string>
      <key>PayloadOrganization</key><string>Example Corp</string>
      <key>PayloadRemovalDisallowed</key><false/>
      <key>PayloadUUID</key><string>A1B2C3D4-E5F6-4718-8293-A4B5C6D7E8F9</string>
      <key>PayloadVersion</key><integer>1</integer>
      <key>SignerCertificates</key><array><data>${signerDer.toString('base64')}</data></array>
    </dict>
    <dict>
      <key>PayloadDisplayName</key><string>MDM Enrollment</string>
      <key>PayloadIdentifier</key><string>com.example.mdm</string>
      <key>PayloadUUID</key><string>0F1E2D3C-4B5A-4968-8776-655443322110</string>
      <key>PayloadVersion</key><integer>1</integer>
      <key>IsEncrypted</key><true/>
    </dict>
  </array>`;

export const installedApplicationListXml = `
  <key>InstalledApplicationList</key>
  <array>
    <dict>
      <key>BundleSize</key><integer>182145024</integer>
      <key>DynamicSize</key><integer>52002816</integer>
      <key>ExternalVersionIdentifier</key><integer>863412345</integer>
      <key>Identifier</key><string>com.microsoft.Office.Outlook</string>
      <key>Installing</key><false/>
      <key>IsValidated</key><false/>
      <key>Name</key><string>Outlook</string>
      <key>ShortVersion</key><string>4.2412.0</string>
      <key>Version</key><string>4.2412.0</string>
      <key>AppStoreVendable</key><true/>
      <key>DeviceBasedVPP</key><false/>
      <key>BetaApp</key><false/>
      <key>AdHocCodeSigned</key><false/>
      <key>HasUpdateAvailable</key><false/>
      <key>IsAppClip</key><false/>
    </dict>
    <dict>
      <key>BundleSize</key><integer>24117248</integer>
      <key>DynamicSize</key><integer>1204224</integer>
      <key>Identifier</key><string>com.example.inhouse</string>
      <key>Installing</key><false/>
      <key>Name</key><string>Example In-House</string>
      <key>ShortVersion</key><string>2.1</string>
      <key>Version</key><string>210</string>
    </dict>
    <dict>
      <key>Identifier</key><string>com.example.downloading</string>
      <key>Installing</key><true/>
      <key>DownloadWaiting</key><true/>
      <key>Name</key><string>Pending</string>
    </dict>
  </array>`;

export const provisioningProfileListXml = `
  <key>ProvisioningProfileList</key>
  <array>
    <dict>
      <key>ExpiryDate</key><date>2027-03-01T12:00:00Z</date>
      <key>Name</key><string>Example In-House Distribution</string>
      <key>UUID</key><string>4F0C2E8A-9B1D-4C3E-8F7A-6B5C4D3E2F10</string>
    </dict>
    <dict>
      <key>Name</key><string>Legacy Ad Hoc</string>
      <key>UUID</key><string>1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D</string>
    </dict>
  </array>`;

export const managedApplicationListXml = `
  <key>ManagedApplicationList</key>
  <dict>
    <key>com.example.inhouse</key>
    <dict>
      <key>ExternalVersionIdentifier</key><integer>0</integer>
      <key>HasConfiguration</key><true/>
      <key>HasFeedback</key><false/>
      <key>IsValidated</key><true/>
      <key>ManagementFlags</key><integer>1</integer>
      <key>Status</key><string>Managed</string>
    </dict>
    <key>com.microsoft.Office.Outlook</key>
    <dict>
      <key>ManagementFlags</key><integer>5</integer>
      <key>Status</key><string>Installing</string>
      <key>UnusedRedemptionCode</key><string>XYZ-REDEEM-ME</string>
    </dict>
  </dict>`;

export const restrictionsXml = `
  <key>GlobalRestrictions</key>
  <dict>
    <key>restrictedBool</key>
    <dict>
      <key>allowCamera</key><dict><key>value</key><false/></dict>
      <key>allowAppInstallation</key><dict><key>value</key><true/></dict>
    </dict>
    <key>restrictedValue</key>
    <dict>
      <key>maxGracePeriod</key><dict><key>value</key><integer>5</integer></dict>
    </dict>
    <key>intersection</key>
    <dict>
      <key>allowedExternalIntelligenceWorkspaceIDs</key><dict><key>values</key><array><string>b</string><string>a</string></array></dict>
    </dict>
    <key>union</key>
    <dict>
      <key>blockedAppBundleIDs</key><dict><key>values</key><array><string>com.example.game</string></array></dict>
    </dict>
  </dict>
  <key>ProfileRestrictions</key>
  <dict>
    <key>com.example.restrictions</key>
    <dict>
      <key>restrictedBool</key>
      <dict><key>allowCamera</key><dict><key>value</key><false/></dict></dict>
    </dict>
  </dict>`;
