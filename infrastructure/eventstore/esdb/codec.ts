import type { AllStreamResolvedEvent, JSONEventData, ResolvedEvent } from '@eventstore/db-client';
import type { EncodedEvent } from '../../../application/event-integrity.js';
import type { Position, RecordedEvent, StoredMetadata } from '../../../application/ports/event-store.js';
import { toPosition, toRevision } from './convert.js';

/**
 * Events to and from the client's shapes.
 *
 * Writing: the stored bytes must be exactly encodeBatch's texts, because the hash covers them. The
 * client has no way to send raw bytes marked as JSON: a JSON event's `data` goes through
 * JSON.stringify, and only `application/octet-stream` events carry raw bytes (which EventStoreDB
 * then flags as not JSON, hiding them from its JSON projections). So `data` is handed over as
 * JSON.parse(dataJson): JSON.stringify of a parsed JSON.stringify output is that output again
 * (same key order, same number and string spelling), and we check it rather than assume it.
 * Metadata has a raw path: a plain Uint8Array (the client tests `constructor === Uint8Array`, so not
 * a Buffer) is sent as is.
 */
export function toEventData(encoded: EncodedEvent): JSONEventData {
  const data = JSON.parse(encoded.dataJson) as JSONEventData['data'];
  if (JSON.stringify(data) !== encoded.dataJson) {
    throw new Error(`event ${encoded.eventId}: data does not survive a JSON round trip byte for byte`);
  }
  return {
    id: encoded.eventId,
    contentType: 'application/json',
    type: encoded.type,
    data,
    metadata: new Uint8Array(Buffer.from(encoded.metadataJson, 'utf8')),
  };
}

/** System events (`$`-prefixed types such as $metadata or $>, and `$`-prefixed streams) never reach the application. */
export function isSystemEvent(type: string, streamId: string): boolean {
  return type.startsWith('$') || streamId.startsWith('$');
}

/** One record of $all or of a stream: its position, and the event unless it is a system event. */
export interface LogEntry {
  readonly position: Position;
  readonly event: RecordedEvent | undefined;
}

export function toLogEntry(resolved: ResolvedEvent | AllStreamResolvedEvent): LogEntry | undefined {
  const e = resolved.event;
  if (!e) return undefined; // a link whose target was deleted: nothing to deliver
  // Stream reads carry positions from EventStoreDB 22.6 on; $all reads always do.
  const raw = e.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : undefined);
  if (!raw) throw new Error(`EventStoreDB returned event ${e.id} without a position (server 22.6 or later is required)`);
  const position = toPosition(raw);
  if (isSystemEvent(e.type, e.streamId)) return { position, event: undefined };
  const data = e.isJson ? e.data : parseBytes(e.data as Uint8Array);
  const metadata = e.metadata instanceof Uint8Array ? parseBytes(e.metadata) : e.metadata;
  return {
    position,
    event: {
      streamId: e.streamId,
      revision: toRevision(e.revision),
      position,
      eventId: e.id,
      type: e.type,
      data,
      metadata: (metadata ?? {}) as StoredMetadata,
      recordedAt: e.created.toISOString(),
    },
  };
}

/** Events written by other tools may be binary: JSON when they hold JSON, the text otherwise. */
function parseBytes(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
