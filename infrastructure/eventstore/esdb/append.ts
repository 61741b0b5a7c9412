import { MaxAppendSizeExceededError, NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import { encodeBatch, validateAppend } from '../../../application/event-integrity.js';
import { satisfiesExpected } from '../../../application/expected-revision.js';
import {
  ConcurrencyError,
  EventTooLargeError,
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
  type StreamRevision,
} from '../../../application/ports/event-store.js';
import { toEventData } from './codec.js';
import type { EsdbConnection } from './connection.js';
import { fromRevision, toPosition, toRevision } from './convert.js';
import { readHead, readStreamEntries } from './reads.js';

/** How often an 'any' or 'exists' append re-reads the head after losing a race, before giving up. */
const MAX_ATTEMPTS = 10;

const actualOf = (head: StreamRevision): StreamRevision | 'no-stream' => (head === -1 ? 'no-stream' : head);

/**
 * Appends with the hash chain intact. Each event's hash covers the previous one's, so the batch
 * must be encoded against the stream's real head: read the head, check the caller's expectation
 * ourselves, encode, then append with exactly that head as the expected revision (or no-stream).
 * The server then refuses the write if anything landed in between, so the chain cannot fork.
 * Losing such a race is the caller's ConcurrencyError when they named a revision or no-stream;
 * for 'any' and 'exists' nothing the caller assumed has changed, so we re-read and try again.
 */
export async function appendChained(conn: EsdbConnection, streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
  validateAppend(streamId, events); // refuse bad input before any round trip
  for (let attempt = 1; ; attempt++) {
    const head = await conn.call(`read of ${streamId}'s head`, (client, signal) => readHead(client, streamId, signal));
    if (!satisfiesExpected(expected, head.revision)) throw new ConcurrencyError(streamId, expected, actualOf(head.revision));
    // Nothing to write: report the head as it is (position 0 when the stream does not exist).
    if (events.length === 0) return { nextRevision: head.revision, position: head.position ?? 0 };

    const encoded = encodeBatch(streamId, head.revision, head.hash, events);
    const bytes = encoded.reduce((n, e) => n + e.size, 0);

    try {
      const result = await conn.call(`append to ${streamId}`, (client) =>
        client.appendToStream(streamId, encoded.map(toEventData), {
          expectedRevision: head.revision === -1 ? NO_STREAM : fromRevision(head.revision),
          // The client's own deadline where it has one (Append; BatchAppend passes it to the server).
          deadline: conn.deadlineMs,
        }),
      );
      const nextRevision = toRevision(result.nextExpectedRevision);
      return { nextRevision, position: await lastPosition(conn, streamId, nextRevision, events.length, result.position) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        if ((expected === 'any' || expected === 'exists') && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        const actual = error.actualVersion === 'no_stream' ? 'no-stream' : typeof error.actualVersion === 'bigint' ? toRevision(error.actualVersion) : undefined;
        throw new ConcurrencyError(streamId, expected, actual);
      }
      if (error instanceof MaxAppendSizeExceededError) throw new EventTooLargeError(streamId, bytes, error.maxAppendSize);
      throw error;
    }
  }
}

/**
 * The position of the last event appended. The server reports one position per append, which is
 * that event's for a single event; for several events (or a pair we cannot use) read it back at
 * its revision rather than rely on what the server's transaction bookkeeping reports.
 */
async function lastPosition(conn: EsdbConnection, streamId: string, revision: StreamRevision, count: number, reported: { commit: bigint; prepare: bigint } | undefined): Promise<number> {
  if (count === 1 && reported && reported.commit === reported.prepare) return toPosition(reported);
  const [entry] = await conn.call(`read back of ${streamId}@${revision}`, (client, signal) =>
    readStreamEntries(client, streamId, { fromRevision: revision, maxCount: 1 }, signal),
  );
  if (!entry) throw new Error(`stream ${streamId}: appended event at revision ${revision} not found on read-back`);
  return entry.position;
}
