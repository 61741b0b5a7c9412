import type { JsonObject } from '../shared/json.js';

/** Attributes of a managed app (InstallApplication `Attributes`, Settings `ApplicationAttributes`). */
export type ApplicationAttributes = {
  readonly VPNUUID?: string;
  readonly ContentFilterUUID?: string;
  readonly DNSProxyUUID?: string;
  readonly RelayUUID?: string;
  readonly AssociatedDomains?: string[];
  readonly AssociatedDomainsEnableDirectDownloads?: boolean;
  readonly Removable?: boolean;
  readonly TapToPayScreenLock?: boolean;
  /** `DNN:<name>` or `AppCategory:<category>`. */
  readonly CellularSliceUUID?: string;
  readonly Hideable?: boolean;
  readonly Lockable?: boolean;
};

export const APPLICATION_ATTRIBUTE_KEYS = [
  'VPNUUID',
  'ContentFilterUUID',
  'DNSProxyUUID',
  'RelayUUID',
  'AssociatedDomains',
  'AssociatedDomainsEnableDirectDownloads',
  'Removable',
  'TapToPayScreenLock',
  'CellularSliceUUID',
  'Hideable',
  'Lockable',
] as const satisfies ReadonlyArray<keyof ApplicationAttributes>;

/**
 * A managed app configuration: any property-list dictionary the app understands. It arrives as JSON,
 * so its values are strings, numbers (whole numbers become `<integer>`, others `<real>`), booleans,
 * arrays and dictionaries; property lists have no null.
 */
export type ApplicationConfiguration = JsonObject;
