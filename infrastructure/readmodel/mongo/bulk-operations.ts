import { MongoBulkWriteError, type AnyBulkWriteOperation } from 'mongodb';
import type { DocumentWrite } from '../../../application/ports/document-store.js';
import type { StoredRecord } from './stored-record.js';

export const DUPLICATE_KEY = 11000;

/**
 * One guarded upsert per write: it replaces the stored record only while that record is older than
 * the write (`_position < P`), so a batch replayed after a crash changes nothing. A delete writes a
 * tombstone at its position rather than removing the record, so that an older put replayed later
 * finds a newer record and does nothing.
 *
 * When the stored record is at or past P the guard matches nothing and the upsert tries to insert
 * a record with the same id: MongoDB answers duplicate key, which means "already applied".
 */
export function bulkOperations(writes: readonly DocumentWrite[]): AnyBulkWriteOperation<StoredRecord>[] {
  return writes.map((write) => ({
    replaceOne: {
      filter: { _id: write.id, _position: { $lt: write.position } },
      replacement: write.op === 'put' ? { _position: write.position, d: write.doc } : { _position: write.position, _deleted: true as const },
      upsert: true,
    },
  }));
}

/**
 * Whether an unordered bulk write failed only because some records were already at or past the
 * write's position: every write error is a duplicate key and nothing else went wrong (no write
 * concern error, no driver error). Anything else must reach the caller.
 */
export function onlyAlreadyApplied(error: unknown): boolean {
  if (!(error instanceof MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0) return false;
  if (error.result?.getWriteConcernError?.()) return false;
  return writeErrors.every((e) => e.code === DUPLICATE_KEY);
}
