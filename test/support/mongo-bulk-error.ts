import { createRequire } from 'node:module';
import { MongoBulkWriteError } from 'mongodb';

/** A server's reply to one `update` command of a bulk write, as far as the driver reads it. */
export interface UpdateReply {
  readonly ok: 1;
  readonly n: number;
  readonly nModified: number;
  readonly upserted?: readonly { index: number; _id: unknown }[];
  readonly writeErrors?: readonly { index: number; code: number; errmsg: string }[];
  readonly writeConcernError?: { code: number; errmsg: string };
}

interface BulkInternals {
  Batch: new (type: number, originalZeroIndex: number) => { originalIndexes: number[]; operations: unknown[] };
  BatchType: { UPDATE: number };
  BulkWriteResult: new (bulkResult: unknown, isOrdered: boolean) => unknown;
  mergeBatchResults(batch: unknown, bulkResult: unknown, err: unknown, result: unknown): void;
}

/**
 * The MongoBulkWriteError the driver throws for an unordered bulk write of `operations` answered
 * with `reply`: built with the driver's own result folding (mergeBatchResults, BulkWriteResult) and
 * the same arguments as its handleWriteError, so the classification is tested on the real shape.
 */
export function bulkWriteErrorFor(operations: readonly unknown[], reply: UpdateReply): MongoBulkWriteError {
  const internals = createRequire(import.meta.url)('mongodb/lib/bulk/common.js') as BulkInternals;
  const batch = new internals.Batch(internals.BatchType.UPDATE, 0);
  operations.forEach((op, i) => {
    batch.operations.push(op);
    batch.originalIndexes.push(i);
  });
  const bulkResult = {
    ok: 1, writeErrors: [] as { code: number; errmsg?: string }[], writeConcernErrors: [], insertedIds: [],
    nInserted: 0, nUpserted: 0, nMatched: 0, nModified: 0, nRemoved: 0, upserted: [],
  };
  internals.mergeBatchResults(batch, bulkResult, null, reply);
  const result = new internals.BulkWriteResult(bulkResult, false);
  const first = bulkResult.writeErrors[0];
  const error = first
    ? new MongoBulkWriteError({ message: first.errmsg ?? 'write operation failed', code: first.code, writeErrors: bulkResult.writeErrors as never }, result as never)
    : new MongoBulkWriteError({ message: reply.writeConcernError?.errmsg ?? 'write failed', code: reply.writeConcernError?.code ?? 0 }, result as never);
  return error;
}
