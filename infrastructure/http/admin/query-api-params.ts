import { INVENTORY_FIELDS } from '../../../application/read-models/inventory-queries.js';
import { boolean, decimal, integer, list, oneOf, text, time, type Param, type Schema } from './query-schema.js';

/**
 * The query parameters of each read route: the router parses with these and the OpenAPI document
 * lists them, so the two cannot drift apart.
 */

const CURSOR = text({ maxLength: 2048, pattern: /^[A-Za-z0-9_-]+$/, description: 'nextCursor of the previous page' });
const LIMIT = integer(1, 1000, 'Page size');
const NAME = text({ maxLength: 128 });

/** Read-your-writes: the position an earlier write returned, and how long to wait for it. */
export const CONSISTENCY_PARAMS = {
  atLeastPosition: integer(0, Number.MAX_SAFE_INTEGER, 'Answer only once the read model has applied this event position (or set stale)'),
  waitMs: integer(0, 10_000, 'How long to wait for atLeastPosition (default 2000)'),
} satisfies Schema;

const NUMERIC_FIELDS = new Set(['capacityGb', 'availableCapacityGb', 'batteryLevel', 'pendingCommands', 'failedCommands', 'appCount', 'profileCount', 'security.hardwareEncryptionCaps']);
const BOOLEAN_FIELDS = new Set(['dataRoamingEnabled', 'voiceRoamingEnabled', 'supervised', 'security.passcodePresent', 'security.passcodeCompliant', 'security.fileVaultEnabled']);

/**
 * Equality filters on the documented inventory fields, typed by what the document holds there:
 * an IMEI made of digits stays text, a battery level is a number.
 */
export const INVENTORY_FIELD_PARAMS: Readonly<Record<string, Param<string | number | boolean>>> = Object.fromEntries(
  [...INVENTORY_FIELDS].map((field) => [
    field,
    NUMERIC_FIELDS.has(field) ? decimal(-1e15, 1e15, `Devices whose ${field} equals this`) : BOOLEAN_FIELDS.has(field) ? boolean(`Devices whose ${field} is this`) : text({ description: `Devices whose ${field} equals this` }),
  ]),
);

export const DEVICE_LIST_PARAMS = {
  group: text({ maxLength: 128, pattern: /^[^,]+$/, description: 'Members of this device group' }),
  seenWithinDays: decimal(0, 36_500, 'Seen in the last N days'),
  notSeenForDays: decimal(0, 36_500, 'Not seen for N days'),
  certificateExpiringWithinDays: decimal(0, 36_500, 'A certificate expires within N days'),
  minimumOsVersion: text({ maxLength: 32, pattern: /^\d+(\.\d+){0,3}$/, description: 'Running at least this OS version (17.4)' }),
  sort: list(text({ maxLength: 64, pattern: /^-?[A-Za-z.]+$/ }), { maxItems: 5, description: 'Sort keys, comma-separated; a leading - sorts descending (-lastSeenAt,deviceName)' }),
  limit: LIMIT,
  cursor: CURSOR,
  fields: list(text({ maxLength: 64, pattern: /^[A-Za-z.]+$/ }), { maxItems: 80, description: 'Only these top-level fields (udid always)' }),
  ...CONSISTENCY_PARAMS,
} satisfies Schema;

export const DEVICE_PARAMS = { ...CONSISTENCY_PARAMS } satisfies Schema;

export const COMMAND_STATUSES = ['queued', 'delivered', 'deferred', 'acknowledged', 'failed', 'expired', 'cancelled'] as const;

export const COMMAND_HISTORY_PARAMS = {
  status: list(oneOf(COMMAND_STATUSES), { maxItems: COMMAND_STATUSES.length, description: 'Only commands in these states' }),
  requestType: text({ maxLength: 128, pattern: /^[A-Za-z0-9.]+$/, description: 'Only this command type (DeviceInformation)' }),
  queuedFrom: time('Queued at or after'),
  queuedUntil: time('Queued before'),
  limit: LIMIT,
  cursor: CURSOR,
  ...CONSISTENCY_PARAMS,
} satisfies Schema;

export const COMPLIANCE_SUMMARY_PARAMS = { ...CONSISTENCY_PARAMS } satisfies Schema;

export const COMPLIANCE_DEVICES_PARAMS = {
  status: oneOf(['compliant', 'non-compliant', 'unknown', 'not-applicable'], 'Only devices in this state (for policyId when given)'),
  policyId: NAME,
  limit: LIMIT,
  cursor: CURSOR,
  ...CONSISTENCY_PARAMS,
} satisfies Schema;

export const AUDIT_PARAMS = {
  udid: NAME,
  actor: text({ maxLength: 200, pattern: /^[a-z]+:.+$/, description: 'kind:id, e.g. admin:alice' }),
  type: list(text({ maxLength: 128, pattern: /^[A-Za-z0-9]+$/ }), { maxItems: 50, description: 'Event types, repeated or comma-separated' }),
  from: time('At or after'),
  until: time('Before'),
  correlationId: NAME,
  order: oneOf(['asc', 'desc'], 'By time; newest first by default'),
  limit: LIMIT,
  cursor: CURSOR,
  ...CONSISTENCY_PARAMS,
} satisfies Schema;

export const EVENT_EXPORT_PARAMS = {
  stream: text({ maxLength: 256, description: 'Only this stream' }),
  type: list(text({ maxLength: 128, pattern: /^[A-Za-z0-9]+$/ }), { maxItems: 50, description: 'Event types, repeated or comma-separated' }),
  since: time('Recorded at or after'),
  until: time('Recorded before'),
} satisfies Schema;

export const PROJECTIONS_PARAMS = {} satisfies Schema;
