import type { Position as EsdbPosition } from '@eventstore/db-client';
import type { Position, StreamRevision } from '../../../application/ports/event-store.js';

/**
 * The one place where the client's bigints become the port's numbers and back (the domain and the
 * application never see a bigint).
 *
 * A position in EventStoreDB's $all is a pair of log offsets (commit, prepare). Since EventStoreDB
 * 20 every write without an explicit transaction, which is every gRPC append, is committed where it
 * is prepared: commit === prepare, so one number identifies an event. We keep `commit` and read
 * back from `{commit: p, prepare: p}`. A pair that differs (events written inside a legacy TCP
 * transaction) cannot be told apart by one number, so it is refused rather than guessed.
 *
 * Log offsets and revisions stay far below 2^53 in practice (9 PB of log); a value beyond that is
 * refused rather than silently rounded.
 */

function toSafeNumber(value: bigint, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`EventStoreDB ${what} ${value} is not a safe integer`);
  return n;
}

export function toPosition(position: EsdbPosition): Position {
  if (position.commit !== position.prepare) {
    throw new RangeError(`EventStoreDB position commit ${position.commit} / prepare ${position.prepare} differ: events from explicit transactions are not supported`);
  }
  return toSafeNumber(position.commit, 'position');
}

export function fromPosition(position: Position): EsdbPosition {
  const p = BigInt(position);
  return { commit: p, prepare: p };
}

export function toRevision(revision: bigint): StreamRevision {
  return toSafeNumber(revision, 'revision');
}

export function fromRevision(revision: StreamRevision): bigint {
  if (!Number.isSafeInteger(revision) || revision < 0) throw new RangeError(`invalid stream revision ${revision}`);
  return BigInt(revision);
}
