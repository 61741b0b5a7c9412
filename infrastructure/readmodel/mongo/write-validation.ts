import { InvalidQueryError, type CheckpointMove, type DocumentWrite } from '../../../application/ports/document-store.js';
import { validateCollectionName, validateId } from '../query-validation.js';

/**
 * A batch as the runner must hand it over: one write per id (an unordered bulk write gives no order
 * between two writes of one id) and positions that are whole, non-negative numbers.
 */
export function validateWrites(writes: readonly DocumentWrite[]): void {
  const seen = new Set<string>();
  writes.forEach((write, i) => {
    validateId(write.id, `writes[${i}].id`);
    if (seen.has(write.id)) throw new InvalidQueryError(`writes[${i}]: a second write for id ${JSON.stringify(write.id)} in one batch`);
    seen.add(write.id);
    if (!Number.isSafeInteger(write.position) || write.position < 0) throw new InvalidQueryError(`writes[${i}].position: expected a whole number from 0, got ${String(write.position)}`);
    if (write.op === 'put') {
      if (typeof write.doc !== 'object' || write.doc === null || Array.isArray(write.doc)) throw new InvalidQueryError(`writes[${i}].doc: expected an object`);
    } else if ((write as { op: unknown }).op !== 'delete') {
      throw new InvalidQueryError(`writes[${i}].op: expected put or delete`);
    }
  });
}

/** A checkpoint move names a projection and a read-model collection, at a whole position. */
export function validateCheckpointMove(move: CheckpointMove): void {
  validateId(move.name, 'checkpoint name');
  validateCollectionName(move.collection);
  if (!Number.isSafeInteger(move.position) || move.position < 0) throw new InvalidQueryError(`checkpoint ${move.name}: position must be a whole number from 0, got ${String(move.position)}`);
  if (move.expected) validateCollectionName(move.expected.collection);
}
