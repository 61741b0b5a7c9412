/** The DeviceInformation `Queries` a device understands (Apple's names; unknown ones are refused). */
export const DEVICE_INFORMATION_QUERIES = [
  'UDID', 'ProvisioningUDID', 'OrganizationInfo', 'MDMOptions', 'LastCloudBackupDate', 'AwaitingConfiguration',
  'iTunesStoreAccountIsActive', 'iTunesStoreAccountHash',
  'DeviceName', 'OSVersion', 'SupplementalOSVersionExtra', 'BuildVersion', 'SupplementalBuildVersion',
  'ModelName', 'Model', 'ModelNumber', 'IsAppleSilicon', 'ProductName', 'SerialNumber',
  'DeviceCapacity', 'AvailableDeviceCapacity', 'IMEI', 'MEID', 'ModemFirmwareVersion', 'CellularTechnology',
  'BatteryLevel', 'HasBattery', 'IsSupervised', 'IsMultiUser', 'IsDeviceLocatorServiceEnabled',
  'IsActivationLockEnabled', 'IsActivationLockSupported', 'IsDoNotDisturbInEffect', 'DeviceID', 'EASDeviceIdentifier',
  'IsCloudBackupEnabled', 'ActiveManagedUsers', 'OSUpdateSettings', 'LocalHostName', 'HostName', 'AutoSetupAdminAccounts',
  'SystemIntegrityProtectionEnabled', 'SupportsLOMDevice', 'IsMDMLostModeEnabled',
  'MaximumResidentUsers', 'EstimatedResidentUsers', 'QuotaSize', 'ResidentUsers', 'UserSessionTimeout', 'TemporarySessionTimeout',
  'TemporarySessionOnly', 'ManagedAppleIDDefaultDomains', 'OnlineAuthenticationGracePeriod', 'SkipLanguageAndLocaleSetupForNewUsers',
  'PushToken', 'DiagnosticSubmissionEnabled', 'AppAnalyticsEnabled', 'TimeZone',
  'ICCID', 'BluetoothMAC', 'WiFiMAC', 'EthernetMAC', 'CurrentCarrierNetwork', 'SIMCarrierNetwork', 'SubscriberCarrierNetwork',
  'CarrierSettingsVersion', 'PhoneNumber', 'DataRoamingEnabled', 'VoiceRoamingEnabled', 'PersonalHotspotEnabled',
  'IsNetworkTethered', 'IsRoaming', 'SubscriberMCC', 'SubscriberMNC', 'CurrentMCC', 'CurrentMNC', 'ServiceSubscriptions',
  'PINRequiredForEraseDevice', 'PINRequiredForDeviceLock', 'SupportsiOSAppInstalls', 'SoftwareUpdateDeviceID',
  'SoftwareUpdateSettings', 'AccessibilitySettings', 'DevicePropertiesAttestation', 'EACSPreflight',
] as const;

export type DeviceInformationQuery = (typeof DEVICE_INFORMATION_QUERIES)[number];

/** The keys of an InstalledApplicationList item that `Items` may ask for. */
export const INSTALLED_APPLICATION_ITEMS = [
  'AdHocCodeSigned', 'AppStoreVendable', 'BetaApp', 'BundleSize', 'DeviceBasedVPP', 'DistributorIdentifier', 'DynamicSize',
  'ExternalVersionIdentifier', 'HasUpdateAvailable', 'Identifier', 'Installing', 'IsAppClip', 'IsValidated', 'Name',
  'ShortVersion', 'Version',
] as const;

export type InstalledApplicationItem = (typeof INSTALLED_APPLICATION_ITEMS)[number];
