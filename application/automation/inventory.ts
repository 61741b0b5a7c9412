/**
 * What the server asks a device about itself after enrollment and at every refresh: hardware and
 * OS, security state, installed profiles, apps and certificates (seed 001: "collect device
 * information"). The results become the device's inventory (`<Kind>Reported` events).
 */
export const INVENTORY_QUERIES: readonly string[] = [
  'UDID', 'DeviceName', 'OSVersion', 'BuildVersion', 'ModelName', 'Model', 'ProductName', 'SerialNumber',
  'DeviceCapacity', 'AvailableDeviceCapacity', 'BatteryLevel', 'IsSupervised', 'IMEI', 'MEID', 'ModemFirmwareVersion',
  'ICCID', 'BluetoothMAC', 'WiFiMAC', 'CurrentCarrierNetwork', 'SubscriberCarrierNetwork', 'CarrierSettingsVersion',
  'PhoneNumber', 'DataRoamingEnabled', 'VoiceRoamingEnabled', 'IsActivationLockEnabled', 'IsDeviceLocatorServiceEnabled',
  'IsCloudBackupEnabled', 'TimeZone',
];

export const INVENTORY_REQUESTS: readonly Readonly<Record<string, unknown>>[] = [
  { requestType: 'DeviceInformation', Queries: INVENTORY_QUERIES },
  { requestType: 'SecurityInfo' },
  { requestType: 'ProfileList' },
  { requestType: 'InstalledApplicationList' },
  { requestType: 'CertificateList' },
];
