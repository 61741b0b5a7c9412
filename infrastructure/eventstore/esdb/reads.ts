import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  type EventStoreDBClient,
  type StreamingRead,
} from '@eventstore/db-client';
import { GENESIS_HASH } from '../../../application/event-integrity.js';
import type { Position, ReadStreamOptions, RecordedEvent, StreamRevision } from '../../../application/ports/event-store.js';
import { toLogEntry, type LogEntry } from './codec.js';
import { fromPosition, fromRevision } from './convert.js';

/**
 * Reads, as plain functions of a client and an abort signal; the caller bounds them with a
 * deadline (EsdbConnection.call, or the subscription's own).
 */

/**
 * Drains a read. Aborting destroys the stream so the loop ends at once: cancelling the gRPC call
 * alone is not enough, because the client swallows its own cancellation error and the stream then
 * neither ends nor fails.
 */
export async function collect<T>(stream: StreamingRead<T>, signal: AbortSignal): Promise<T[]> {
  const onAbort = () => {
    void stream.cancel().catch(() => undefined);
    stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('read aborted'));
  };
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const out: T[] = [];
    for await (const item of stream) out.push(item as T);
    return out;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** A stream's records in the requested order; [] when the stream does not exist. */
export async function readStreamEntries(client: EventStoreDBClient, streamId: string, options: ReadStreamOptions, signal: AbortSignal): Promise<LogEntry[]> {
  const backwards = options.direction === 'backwards';
  const stream = client.readStream(streamId, {
    direction: backwards ? BACKWARDS : FORWARDS,
    fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : fromRevision(options.fromRevision),
    maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
  });
  try {
    const resolved = await collect(stream, signal);
    return resolved.map(toLogEntry).filter((e): e is LogEntry => e !== undefined);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

export async function readStreamEvents(client: EventStoreDBClient, streamId: string, options: ReadStreamOptions, signal: AbortSignal): Promise<RecordedEvent[]> {
  return (await readStreamEntries(client, streamId, options, signal)).flatMap((e) => (e.event ? [e.event] : []));
}

export interface StreamHead {
  /** -1 when the stream does not exist. */
  readonly revision: StreamRevision;
  readonly hash: string;
  readonly position: Position | undefined;
}

const HASH = /^[0-9a-f]{64}$/;

/** The last event of a stream, which the next append chains to. */
export async function readHead(client: EventStoreDBClient, streamId: string, signal: AbortSignal): Promise<StreamHead> {
  const [last] = await readStreamEvents(client, streamId, { direction: 'backwards', maxCount: 1 }, signal);
  if (!last) return { revision: -1, hash: GENESIS_HASH, position: undefined };
  const hash = (last.metadata as { hash?: unknown }).hash;
  // A head without a hash was written around this adapter: chaining to it would vouch for it.
  if (typeof hash !== 'string' || !HASH.test(hash)) {
    throw new Error(`stream ${streamId}: event at revision ${last.revision} carries no hash; refusing to extend an unchained stream`);
  }
  return { revision: last.revision, hash, position: last.position };
}

export interface AllPage {
  /** Records strictly after `after`, system ones included (their event left out), in position order. */
  readonly entries: LogEntry[];
  /** Whether the read reached the end of $all. */
  readonly end: boolean;
}

/**
 * One page of $all after a position. The server reads from a position inclusively, so the record
 * at `after` itself is asked for too and dropped here. System events are filtered on our side:
 * the client's readAll has no server-side filter.
 */
export async function readAllPage(client: EventStoreDBClient, after: Position | undefined, count: number, signal: AbortSignal): Promise<AllPage> {
  const want = after === undefined ? count : count + 1;
  const resolved = await collect(client.readAll({ fromPosition: after === undefined ? START : fromPosition(after), maxCount: want, direction: FORWARDS }), signal);
  const entries = resolved
    .map(toLogEntry)
    .filter((e): e is LogEntry => e !== undefined && (after === undefined || e.position > after));
  return { entries, end: resolved.length < want };
}
