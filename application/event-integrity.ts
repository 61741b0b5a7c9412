import { createHash } from 'node:crypto';
import { EventTooLargeError, InvalidEventError, MAX_APPEND_BYTES, type EventMetadata, type NewEvent, type RecordedEvent, type StreamRevision } from './ports/event-store.js';

/**
 * Tamper evidence shared by every event store adapter: each event's metadata carries the hash of
 * the previous event of its stream (`prevHash`) and its own `hash`, a SHA-256 over the bytes that
 * are stored for it. Rewriting, dropping or reordering an event breaks the chain from there on.
 *
 * The bytes are the JSON texts the adapters store. JSON.stringify of a value that came from
 * JSON.parse of such a text yields the same text again, so a chain can be verified from parsed
 * events without the adapter's raw bytes.
 */

export const GENESIS_HASH = '0'.repeat(64);
const DOMAIN_TAG = 'mdm-event-v1';

export interface EncodedEvent {
  readonly eventId: string;
  readonly type: string;
  /** JSON text of the event's data, exactly as stored. */
  readonly dataJson: string;
  /** JSON text of the metadata, including prevHash and hash, exactly as stored. */
  readonly metadataJson: string;
  readonly hash: string;
  /** Bytes that count against the append limit. */
  readonly size: number;
}

/** Adds the names EventStoreDB's system projections read, so `$by_correlation_id` works there too. */
function withSystemNames(metadata: EventMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(metadata ?? {}) };
  delete out['prevHash'];
  delete out['hash'];
  if (typeof out['correlationId'] === 'string') out['$correlationId'] = out['correlationId'];
  if (typeof out['causationId'] === 'string') out['$causationId'] = out['causationId'];
  return out;
}

function hashOf(streamId: string, revision: StreamRevision, eventId: string, type: string, dataJson: string, unhashedMetadataJson: string): string {
  const h = createHash('sha256');
  for (const part of [DOMAIN_TAG, streamId, String(revision), eventId, type, dataJson, unhashedMetadataJson]) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    h.update(len).update(bytes);
  }
  return h.digest('hex');
}

/** Serialises one event for storage at `revision` in `streamId`, chained to `prevHash`. */
export function encodeEvent(streamId: string, revision: StreamRevision, event: NewEvent, prevHash: string): EncodedEvent {
  const dataJson = JSON.stringify(event.data ?? null);
  const unhashed = { ...withSystemNames(event.metadata), prevHash };
  const unhashedJson = JSON.stringify(unhashed);
  const hash = hashOf(streamId, revision, event.eventId, event.type, dataJson, unhashedJson);
  const metadataJson = JSON.stringify({ ...unhashed, hash });
  return {
    eventId: event.eventId,
    type: event.type,
    dataJson,
    metadataJson,
    hash,
    size: Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[^\s\u0000-\u001f]{1,200}$/u;

/** Refuses what one of the stores could not hold, so every adapter refuses the same things. */
export function validateAppend(streamId: string, events: readonly NewEvent[]): void {
  if (typeof streamId !== 'string' || !NAME.test(streamId) || streamId.startsWith('$')) {
    throw new InvalidEventError(`invalid stream id ${JSON.stringify(streamId)}: 1-200 printable characters without spaces, not starting with $`);
  }
  for (const event of events) {
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) throw new InvalidEventError(`invalid event id ${JSON.stringify(event.eventId)}: must be a UUID`);
    if (typeof event.type !== 'string' || !NAME.test(event.type) || event.type.startsWith('$')) {
      throw new InvalidEventError(`invalid event type ${JSON.stringify(event.type)}: 1-200 printable characters without spaces, not starting with $`);
    }
  }
}

/**
 * Encodes a batch that starts after `headRevision` (-1 for a new stream) whose head hash is
 * `headHash`. Validates it first (validateAppend) and refuses it when its stored size exceeds
 * MAX_APPEND_BYTES, so every adapter draws the line at the same bytes.
 */
export function encodeBatch(streamId: string, headRevision: StreamRevision, headHash: string, events: readonly NewEvent[]): EncodedEvent[] {
  validateAppend(streamId, events);
  const out: EncodedEvent[] = [];
  let prev = headHash;
  events.forEach((event, i) => {
    const encoded = encodeEvent(streamId, headRevision + 1 + i, event, prev);
    out.push(encoded);
    prev = encoded.hash;
  });
  const bytes = out.reduce((n, e) => n + e.size, 0);
  if (bytes > MAX_APPEND_BYTES) throw new EventTooLargeError(streamId, bytes, MAX_APPEND_BYTES);
  return out;
}

/** The hash this recorded event should carry, recomputed from its content. */
export function recomputeHash(event: RecordedEvent): string {
  const { hash: _ignored, ...unhashed } = event.metadata;
  return hashOf(event.streamId, event.revision, event.eventId, event.type, JSON.stringify(event.data ?? null), JSON.stringify(unhashed));
}

export type ChainBreak =
  | { readonly kind: 'hash-mismatch'; readonly revision: StreamRevision; readonly eventId: string }
  | { readonly kind: 'broken-link'; readonly revision: StreamRevision; readonly eventId: string }
  | { readonly kind: 'revision-gap'; readonly revision: StreamRevision; readonly expected: StreamRevision };

/**
 * Checks a stream's events, read forwards from revision 0, against their hashes and links.
 * Returns the first break, or undefined when the chain is intact.
 */
export function verifyStreamChain(events: readonly RecordedEvent[]): ChainBreak | undefined {
  let prev = GENESIS_HASH;
  let expectedRevision = 0;
  for (const event of events) {
    if (event.revision !== expectedRevision) return { kind: 'revision-gap', revision: event.revision, expected: expectedRevision };
    if (event.metadata.prevHash !== prev) return { kind: 'broken-link', revision: event.revision, eventId: event.eventId };
    if (recomputeHash(event) !== event.metadata.hash) return { kind: 'hash-mismatch', revision: event.revision, eventId: event.eventId };
    prev = event.metadata.hash;
    expectedRevision++;
  }
  return undefined;
}
