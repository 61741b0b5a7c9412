/** The RequestTypes this server can queue, in Apple's spelling. */
export const REQUEST_TYPES = [
  'InstallProfile',
  'RemoveProfile',
  'Settings',
  'InstallApplication',
  'RemoveApplication',
  'ManagedApplicationList',
  'InstalledApplicationList',
  'InstallProvisioningProfile',
  'RemoveProvisioningProfile',
  'ProvisioningProfileList',
  'EraseDevice',
  'DeviceLock',
  'ClearPasscode',
  'DeviceInformation',
  'SecurityInfo',
  'ProfileList',
  'CertificateList',
  'Restrictions',
] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];

/** The queries: their reports carry a result that becomes a typed `<RequestType>Reported` event. */
export const QUERY_REQUEST_TYPES = [
  'DeviceInformation',
  'SecurityInfo',
  'ProfileList',
  'InstalledApplicationList',
  'CertificateList',
  'ProvisioningProfileList',
  'ManagedApplicationList',
  'Restrictions',
] as const satisfies readonly RequestType[];

export type QueryRequestType = (typeof QUERY_REQUEST_TYPES)[number];

export const isRequestType = (value: unknown): value is RequestType => typeof value === 'string' && (REQUEST_TYPES as readonly string[]).includes(value);

export const isQueryRequestType = (value: unknown): value is QueryRequestType =>
  typeof value === 'string' && (QUERY_REQUEST_TYPES as readonly string[]).includes(value);

export interface RequestTypeInfo {
  /** The report carries a result that parseCommandResult turns into a typed result. */
  readonly query: boolean;
  /** The application must fill `UnlockToken` from the device's stored (sealed) unlock token. */
  readonly needsUnlockToken: boolean;
  /** Irreversible: worth a confirmation step in any user interface. */
  readonly destructive: boolean;
  /** Suggested queue priority, on the queue's scale (0-100, higher first, 50 normal). */
  readonly defaultPriority: number;
  /** Suggested time to live: how long the command stays useful if the device does not check in. */
  readonly defaultTtlSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

const query = { query: true, needsUnlockToken: false, destructive: false, defaultPriority: 40, defaultTtlSeconds: DAY } as const;
const configuration = { query: false, needsUnlockToken: false, destructive: false, defaultPriority: 50, defaultTtlSeconds: 14 * DAY } as const;

// Security commands jump the queue. A lost device may stay offline for weeks and should still lock or
// erase when it surfaces; clearing a passcode only helps the user who is waiting for it now.
export const REQUEST_TYPE_INFO: Readonly<Record<RequestType, RequestTypeInfo>> = {
  InstallProfile: configuration,
  RemoveProfile: configuration,
  Settings: configuration,
  InstallApplication: configuration,
  RemoveApplication: configuration,
  ManagedApplicationList: query,
  InstalledApplicationList: query,
  InstallProvisioningProfile: configuration,
  RemoveProvisioningProfile: configuration,
  ProvisioningProfileList: query,
  EraseDevice: { query: false, needsUnlockToken: false, destructive: true, defaultPriority: 90, defaultTtlSeconds: 30 * DAY },
  DeviceLock: { query: false, needsUnlockToken: false, destructive: false, defaultPriority: 90, defaultTtlSeconds: 7 * DAY },
  ClearPasscode: { query: false, needsUnlockToken: true, destructive: false, defaultPriority: 90, defaultTtlSeconds: DAY },
  DeviceInformation: query,
  SecurityInfo: query,
  ProfileList: query,
  CertificateList: query,
  Restrictions: query,
};
