import type { Clock } from '../ports/clock.js';
import { InvalidQueryError, type DocumentPage, type Filter, type Scalar, type SortKey } from '../ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { osVersionKey } from '../../projections/inventory-document.js';
import { checkPaths } from './query-paths.js';
import type { Consistency, ReadModels } from './read-models.js';

export const INVENTORY = 'inventory';

/** Scalar fields of the inventory document: what filters and sorts may name. */
export const INVENTORY_FIELDS: ReadonlySet<string> = new Set([
  'udid', 'serialNumber', 'model', 'modelName', 'productName', 'deviceName', 'osVersion', 'buildVersion', 'osVersionKey',
  'capacityGb', 'availableCapacityGb', 'batteryLevel', 'imei', 'meid', 'iccid', 'modemFirmwareVersion', 'wifiMac', 'bluetoothMac',
  'currentCarrierNetwork', 'subscriberCarrierNetwork', 'carrierSettingsVersion', 'phoneNumber', 'dataRoamingEnabled', 'voiceRoamingEnabled',
  'supervised', 'informationReportedAt', 'enrollmentState', 'enrollmentId', 'user', 'enrollmentGroup', 'groupsKey', 'certificateHash',
  'firstSeenAt', 'enrolledAt', 'checkedOutAt', 'lastSeenAt', 'pushState', 'pushTopic', 'pushUpdatedAt', 'pendingCommands', 'failedCommands',
  'lastCommandAt', 'appCount', 'profileCount', 'nextCertificateExpiry', 'vpnAddress', 'updatedAt',
  'security.passcodePresent', 'security.passcodeCompliant', 'security.hardwareEncryptionCaps', 'security.fileVaultEnabled',
]);

/** Top-level fields a caller may ask for (`fields`); the lists are large, so they are opt-in. */
const RETURNABLE = new Set([...[...INVENTORY_FIELDS].map((f) => f.split('.')[0]!), 'groups', 'security', 'apps', 'profiles', 'provisioningProfiles', 'certificates', 'factsChangedAt']);

export interface DeviceListQuery {
  readonly filter?: Filter;
  /** Conditions relative to now, turned into time ranges when the query runs. */
  readonly seenWithinDays?: number;
  readonly notSeenForDays?: number;
  readonly certificateExpiringWithinDays?: number;
  /** Members of this device group. */
  readonly group?: string;
  /** Devices running at least this OS version ("17.4"). */
  readonly minimumOsVersion?: string;
  readonly sort?: readonly SortKey[];
  readonly limit?: number;
  readonly cursor?: string;
  readonly fields?: readonly string[];
  readonly consistency?: Consistency;
}

export interface DevicePage {
  readonly devices: readonly JsonObject[];
  readonly nextCursor?: string;
  /** True when a requested consistency could not be reached in time: the answer may miss that write. */
  readonly stale?: true;
}

const DAY_MS = 86_400_000;

/** Inventory: devices with filters, sorting, field selection and cursor pagination. */
export class InventoryQueries {
  constructor(
    private readonly readModels: ReadModels,
    private readonly clock: Clock,
  ) {}

  async list(query: DeviceListQuery = {}): Promise<DevicePage> {
    const fields = query.fields && query.fields.length > 0 ? [...new Set(['udid', ...query.fields])] : undefined;
    checkPaths(INVENTORY, INVENTORY_FIELDS, query.filter, query.sort, undefined);
    for (const f of fields ?? []) if (!RETURNABLE.has(f.split('.')[0]!)) throw new InvalidQueryError(`inventory: cannot return ${JSON.stringify(f)}`);
    const filter = this.filterOf(query);
    const fresh = await this.readModels.settle(query.consistency, [INVENTORY]);
    const page: DocumentPage = await this.readModels.find(INVENTORY, {
      filter,
      sort: query.sort && query.sort.length > 0 ? query.sort : [{ path: 'udid', direction: 'asc' }],
      limit: query.limit ?? 50,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(fields ? { fields } : {}),
    });
    return { devices: page.items.map((i) => i.doc), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), ...(fresh ? {} : { stale: true as const }) };
  }

  async get(udid: string, consistency?: Consistency): Promise<InventoryDocument | undefined> {
    await this.readModels.settle(consistency, [INVENTORY]);
    const doc = (await this.readModels.get<InventoryDocument>(INVENTORY, udid))?.doc;
    return doc && 'enrollmentState' in doc ? doc : undefined;
  }

  /** How many devices hold each value of a field (e.g. model, osVersion, enrollmentState). */
  async summary(path: string, filter?: Filter): Promise<Array<{ value: Scalar; count: number }>> {
    checkPaths(INVENTORY, INVENTORY_FIELDS, filter, [{ path, direction: 'asc' }], undefined);
    const listed: Filter = { enrollmentState: { $exists: true } };
    const counts = await this.readModels.countBy(INVENTORY, path, filter ? { $and: [listed, filter] } : listed);
    return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
  }

  private filterOf(query: DeviceListQuery): Filter {
    const now = this.clock.now().getTime();
    const days = (n: number | undefined, name: string): number | undefined => {
      if (n === undefined) return undefined;
      if (!Number.isFinite(n) || n < 0 || n > 36_500) throw new InvalidQueryError(`${name} must be a number of days from 0 to 36500`);
      return n;
    };
    // Devices that joined a group before ever talking to us are kept as placeholders: not listed.
    const parts: Filter[] = [{ enrollmentState: { $exists: true } }, ...(query.filter ? [query.filter] : [])];
    const within = days(query.seenWithinDays, 'seenWithinDays');
    if (within !== undefined) parts.push({ lastSeenAt: { $gte: new Date(now - within * DAY_MS).toISOString() } });
    const notSeen = days(query.notSeenForDays, 'notSeenForDays');
    if (notSeen !== undefined) parts.push({ lastSeenAt: { $lt: new Date(now - notSeen * DAY_MS).toISOString() } });
    const expiring = days(query.certificateExpiringWithinDays, 'certificateExpiringWithinDays');
    if (expiring !== undefined) parts.push({ nextCertificateExpiry: { $lte: new Date(now + expiring * DAY_MS).toISOString() } });
    if (query.group !== undefined) {
      if (!/^[^,]{1,128}$/.test(query.group)) throw new InvalidQueryError('group must be a group name (1 to 128 characters, no commas)');
      parts.push({ groupsKey: { $contains: `,${query.group},` } });
    }
    if (query.minimumOsVersion !== undefined) {
      const key = osVersionKey(query.minimumOsVersion);
      if (!key) throw new InvalidQueryError(`minimumOsVersion ${JSON.stringify(query.minimumOsVersion)} is not a version like 17.4.1`);
      parts.push({ osVersionKey: { $gte: key } });
    }
    return parts.length === 1 ? parts[0] : { $and: parts };
  }
}
