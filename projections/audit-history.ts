import type { ActorKind, RecordedEvent } from '../application/ports/event-store.js';
import { KNOWN_EVENT_TYPES, summarize } from './audit-summaries.js';
import { compact, record, text, udidOfStream } from './event-values.js';
import { eventTime, type Projection } from './projection.js';

/**
 * One event as an auditor reads it (collection `audit-history`, id = the position zero-padded to
 * 16 digits, so ids sort as the store does). Only envelope facts and a sentence built from chosen
 * fields: never the event's data, which may hold sealed secrets.
 */
export interface AuditEntry {
  readonly position: number;
  /** When it happened (the application's stated time, else the commit time). */
  readonly at: string;
  readonly recordedAt: string;
  readonly streamId: string;
  readonly type: string;
  /** "<kind>:<id>". */
  readonly actor?: string;
  readonly actorKind?: ActorKind;
  readonly actorId?: string;
  /** The device it concerns: its stream's, or the UDID the event names. */
  readonly udid?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly eventId: string;
  readonly summary: string;
}

const ACTOR_KINDS: ReadonlySet<string> = new Set<ActorKind>(['admin', 'operator', 'auditor', 'user', 'device', 'gateway', 'system']);
const MAX_ID = 256;

const auditId = (position: number): string => String(position).padStart(16, '0');
const bounded = (value: unknown): string | undefined => {
  const t = text(value);
  return t !== undefined && t.length > 0 && t.length <= MAX_ID ? t : undefined;
};

function actorOf(event: RecordedEvent): Pick<AuditEntry, 'actor' | 'actorKind' | 'actorId'> {
  const actor = record(event.metadata.actor);
  const kind = text(actor['kind']);
  const id = bounded(actor['id']);
  if (kind === undefined || !ACTOR_KINDS.has(kind) || id === undefined) return {};
  return { actor: `${kind}:${id}`, actorKind: kind as ActorKind, actorId: id };
}

export function auditEntry(event: RecordedEvent): AuditEntry {
  const data = record(event.data);
  return compact({
    position: event.position,
    at: eventTime(event),
    recordedAt: event.recordedAt,
    streamId: event.streamId,
    type: event.type,
    ...actorOf(event),
    udid: bounded(data['udid']) ?? bounded(record(data['attributes'])['udid']) ?? udidOfStream(event.streamId),
    correlationId: bounded(event.metadata.correlationId),
    causationId: bounded(event.metadata.causationId),
    eventId: event.eventId,
    summary: summarize(event.type, event.data),
  });
}

/** The audit trail: an entry for every event the server writes, in position order. */
export const auditHistoryProjection: Projection<AuditEntry> = {
  name: 'audit-history',
  version: 1,
  handles: KNOWN_EVENT_TYPES,
  allEvents: true,
  insertOnly: true,
  // Time, then position: events recorded together share a time, and the trail must keep their order
  // both ways (newest first as well as oldest first).
  indexes: [
    { name: 'at', fields: [{ path: 'at', direction: 'desc' }, { path: 'position', direction: 'desc' }] },
    { name: 'udid_at', fields: [{ path: 'udid', direction: 'asc' }, { path: 'at', direction: 'desc' }, { path: 'position', direction: 'desc' }] },
    { name: 'actor_at', fields: [{ path: 'actor', direction: 'asc' }, { path: 'at', direction: 'desc' }, { path: 'position', direction: 'desc' }] },
    { name: 'type_at', fields: [{ path: 'type', direction: 'asc' }, { path: 'at', direction: 'desc' }, { path: 'position', direction: 'desc' }] },
  ],
  documentId: (event) => auditId(event.position),
  // An entry is written once: the same event again (a replay) gives the same entry.
  apply: (_current, event) => auditEntry(event),
};
