import type { IndexDeclaration } from '../application/ports/document-store.js';
import type { RecordedEvent } from '../application/ports/event-store.js';
import { RESULT_KINDS, type ResultKind } from '../domain/device/queue/events.js';
import { occurredAt } from './event-times.js';
import { compact, later, record, sameJson, text, udidOfStream } from './event-values.js';
import type { EnrollmentState, InventoryDocument } from './inventory-document.js';
import { applyDeviceFacts, applyReport, type InventoryDraft } from './inventory-reports.js';
import type { Projection } from './projection.js';

/**
 * A device added to a group before it ever authenticated: all we know is its UDID and groups. It
 * becomes a full InventoryDocument (keeping the groups) when its enrollment starts, and goes away if
 * it leaves its last group first. It has no `enrollmentState`: `{enrollmentState: {$exists: true}}`
 * selects the devices that have talked to us.
 */
export interface InventoryPlaceholder {
  readonly udid: string;
  readonly groups: readonly string[];
  readonly groupsKey: string;
  readonly updatedAt: string;
}

export type InventoryRecord = InventoryDocument | InventoryPlaceholder;

export const isInventoryDocument = (r: InventoryRecord): r is InventoryDocument => 'enrollmentState' in r;

const ENROLLMENT_TYPES = [
  'DeviceEnrollmentStarted', 'DeviceEnrolled', 'PushTokenUpdated', 'PushTokenInvalidated', 'DeviceCheckedOut', 'DeviceUnenrollmentRequested',
  'DeviceQuarantined', 'DeviceApproved', 'DeviceRejected', 'DeviceCertificateRebound',
];
const COMMAND_TYPES = ['CommandQueued', 'CommandDelivered', 'CommandAcknowledged', 'CommandFailed', 'CommandDeferred', 'CommandExpired', 'CommandCancelled'];
const FINISHED = new Set(['CommandAcknowledged', 'CommandFailed', 'CommandExpired', 'CommandCancelled']);
const REPORT_KINDS = new Map<string, ResultKind>(RESULT_KINDS.map((kind) => [`${kind}Reported`, kind]));
const MEMBERSHIP_TYPES = new Set(['DeviceGroupMemberAdded', 'DeviceGroupMemberRemoved']);

/** Messages and reports the device itself sent: each one is contact. */
const CONTACT = new Set([
  'DeviceEnrollmentStarted', 'DeviceEnrolled', 'PushTokenUpdated', 'DeviceCheckedOut', 'DeviceCertificateRebound', 'DeviceSeen',
  'CommandDelivered', 'CommandAcknowledged', 'CommandFailed', 'CommandDeferred', ...REPORT_KINDS.keys(),
]);

/** States an admin's decision or an unenrollment put the device in: a TokenUpdate does not end them. */
const HELD: ReadonlySet<EnrollmentState> = new Set(['quarantined', 'rejected', 'unenrolling']);

const groupsKey = (groups: readonly string[]): string => (groups.length === 0 ? ',' : `,${groups.join(',')},`);

function withGroups<T extends InventoryRecord>(r: T, groups: string[]): T {
  const sorted = [...new Set(groups)].sort();
  return { ...r, groups: sorted, groupsKey: groupsKey(sorted) };
}

function applyMembership(current: InventoryRecord | undefined, event: RecordedEvent, udid: string, at: string): InventoryRecord | null {
  const group = text(record(event.data)['name']);
  if (group === undefined) return current ?? null;
  if (event.type === 'DeviceGroupMemberAdded') {
    const base: InventoryRecord = current ?? { udid, groups: [], groupsKey: ',', updatedAt: at };
    if (base.groups.includes(group)) return base;
    return { ...withGroups(base, [...base.groups, group]), updatedAt: at };
  }
  if (!current || !current.groups.includes(group)) return current ?? null;
  const next = { ...withGroups(current, current.groups.filter((g) => g !== group)), updatedAt: at };
  // Nothing else is known of a device that never enrolled: it leaves the inventory with its last group.
  return !isInventoryDocument(next) && next.groups.length === 0 ? null : next;
}

function newDocument(udid: string, placeholder: InventoryPlaceholder | undefined, at: string): InventoryDraft {
  const groups = placeholder?.groups ?? [];
  return {
    udid, enrollmentState: 'authenticated', groups: [...groups], groupsKey: groupsKey(groups), firstSeenAt: at, lastSeenAt: at,
    pushState: 'none', pendingCommands: 0, failedCommands: 0, factsChangedAt: {}, updatedAt: at,
  };
}

/**
 * Authenticate: a new enrollment unless the device repeats itself under the same certificate. As in
 * the device's own state, the enrollment (id, user, group) comes with the certificate, and an
 * admin's hold or rejection stays with the certificate it was about.
 */
function enrollmentStarted(d: InventoryDraft, data: Record<string, unknown>, at: string): void {
  const certificateHash = text(data['certificateHash']);
  const sameCertificate = certificateHash !== undefined && certificateHash === d.certificateHash;
  const enrollmentId = text(data['enrollmentId']);
  if (enrollmentId !== undefined || !sameCertificate) {
    d.enrollmentId = enrollmentId;
    d.user = enrollmentId !== undefined ? text(data['user']) : undefined;
    d.enrollmentGroup = enrollmentId !== undefined ? text(data['group']) : undefined;
  }
  const decided = d.enrollmentState === 'quarantined' || d.enrollmentState === 'rejected';
  if (!(sameCertificate && decided)) d.enrollmentState = 'authenticated';
  d.certificateHash = certificateHash;
  d.enrolledAt = undefined;
  d.checkedOutAt = undefined;
  // An identity that ended without a CheckOut takes its push token with it, as a CheckOut would.
  if (data['previousIdentity'] !== undefined) setPush(d, 'none', undefined, at);
  applyDeviceFacts(d, data['facts'], at);
}

function setPush(d: InventoryDraft, state: InventoryDocument['pushState'], topic: string | undefined, at: string): void {
  d.pushState = state;
  d.pushTopic = topic;
  d.pushUpdatedAt = at;
}

function applyDeviceEvent(d: InventoryDraft, event: RecordedEvent, at: string): void {
  const data = record(event.data);
  if (CONTACT.has(event.type)) d.lastSeenAt = later(d.lastSeenAt, at) ?? at;
  const kind = REPORT_KINDS.get(event.type);
  if (kind !== undefined) return applyReport(d, kind, record(data['result']), at);
  if (COMMAND_TYPES.includes(event.type)) {
    d.lastCommandAt = later(d.lastCommandAt, at);
    if (event.type === 'CommandQueued') d.pendingCommands += 1;
    // Never below zero: a finish whose queueing this document never saw must not hide a real one.
    if (FINISHED.has(event.type)) d.pendingCommands = Math.max(0, d.pendingCommands - 1);
    if (event.type === 'CommandFailed') d.failedCommands += 1;
    return;
  }
  switch (event.type) {
    case 'DeviceEnrollmentStarted':
      return enrollmentStarted(d, data, at);
    case 'DeviceEnrolled':
      d.enrolledAt = at;
      if (!HELD.has(d.enrollmentState)) d.enrollmentState = 'enrolled';
      return setPush(d, 'active', text(data['topic']), at);
    case 'PushTokenUpdated':
      return setPush(d, 'active', text(data['topic']), at);
    case 'PushTokenInvalidated':
      return setPush(d, 'invalidated', d.pushTopic, at);
    case 'DeviceCheckedOut':
      d.enrollmentState = 'checked-out';
      d.checkedOutAt = at;
      return setPush(d, 'none', undefined, at);
    case 'DeviceUnenrollmentRequested':
      // A rejection is also told to unenroll: "rejected" says more about why it is leaving.
      if (d.enrollmentState !== 'rejected') d.enrollmentState = 'unenrolling';
      return;
    case 'DeviceQuarantined':
      d.enrollmentState = 'quarantined';
      return;
    case 'DeviceApproved':
      if (d.enrollmentState === 'quarantined') d.enrollmentState = d.enrolledAt !== undefined ? 'enrolled' : 'authenticated';
      return;
    case 'DeviceRejected':
      // A device that already checked out stays so: it is not enrolled, whatever was decided.
      if (d.enrollmentState !== 'checked-out') d.enrollmentState = 'rejected';
      return;
    case 'DeviceCertificateRebound':
      d.certificateHash = text(data['certificateHash']) ?? d.certificateHash;
      return applyDeviceFacts(d, data['facts'], at);
    default:
      return;
  }
}

function draftOf(doc: InventoryDocument): InventoryDraft {
  return { ...doc, groups: [...doc.groups], factsChangedAt: { ...doc.factsChangedAt } };
}

function finish(draft: InventoryDraft): InventoryDocument {
  return { ...compact(draft), factsChangedAt: compact(draft.factsChangedAt) };
}

function applyToDevice(current: InventoryRecord | undefined, event: RecordedEvent, udid: string, at: string): InventoryRecord | null {
  let draft: InventoryDraft;
  if (current !== undefined && isInventoryDocument(current)) draft = draftOf(current);
  // Every device stream starts with DeviceEnrollmentStarted; anything before it has no device to describe.
  else if (event.type === 'DeviceEnrollmentStarted') draft = newDocument(udid, current as InventoryPlaceholder | undefined, at);
  else return current ?? null;
  applyDeviceEvent(draft, event, at);
  const next = finish(draft);
  if (current !== undefined && isInventoryDocument(current) && unchanged(next, current)) return current;
  return { ...next, updatedAt: at };
}

/**
 * Whether applying an event left the document as it was (then `updatedAt` stays). A draft shares
 * every nested value it did not replace with the current document, so comparing by reference is
 * exact for those; the two it copies (groups, factsChangedAt) are small and compared by value.
 * Runs on every event: a whole-document comparison would cost more than the fold itself.
 */
function unchanged(next: InventoryDocument, current: InventoryDocument): boolean {
  const nextKeys = Object.keys(next).filter((k) => k !== 'updatedAt');
  if (nextKeys.length !== Object.keys(current).filter((k) => k !== 'updatedAt').length) return false;
  for (const key of nextKeys) {
    const a = (next as unknown as Record<string, unknown>)[key];
    const b = (current as unknown as Record<string, unknown>)[key];
    if (a === b) continue;
    if ((key === 'groups' || key === 'factsChangedAt') && sameJson(a, b)) continue;
    return false;
  }
  return true;
}

function inventoryId(event: RecordedEvent): string | undefined {
  return MEMBERSHIP_TYPES.has(event.type) ? text(record(event.data)['udid']) : udidOfStream(event.streamId);
}

/**
 * The device inventory: one document per UDID (collection `inventory`), from the device's own stream
 * and its group memberships. Pure: every time comes from the events.
 */
export const inventoryProjection: Projection<InventoryRecord> = {
  name: 'inventory',
  version: 1,
  handles: new Set([...ENROLLMENT_TYPES, ...COMMAND_TYPES, ...REPORT_KINDS.keys(), 'DeviceSeen', ...MEMBERSHIP_TYPES]),
  // Each admin list is an equality on a low-cardinality field and a sort: an index on (field, sort
  // key) answers it in index order with no sorting step; the singles serve lookups and sorts alone.
  indexes: [
    ...[['enrollmentState', 'lastSeenAt'], ['enrollmentState', 'deviceName'], ['model', 'lastSeenAt'], ['model', 'deviceName'], ['pushState', 'lastSeenAt']].map(
      ([field, sort]): IndexDeclaration => ({ name: `${field}-${sort}`, fields: [{ path: field!, direction: 'asc' }, { path: sort!, direction: 'asc' }] }),
    ),
    ...['serialNumber', 'deviceName', 'user', 'osVersionKey', 'lastSeenAt', 'nextCertificateExpiry'].map((path): IndexDeclaration => ({ name: path, fields: [{ path, direction: 'asc' }] })),
  ],
  documentId: inventoryId,
  apply(current, event) {
    const udid = inventoryId(event);
    if (udid === undefined) return current ?? null;
    const at = occurredAt(event);
    return MEMBERSHIP_TYPES.has(event.type) ? applyMembership(current, event, udid, at) : applyToDevice(current, event, udid, at);
  },
};
