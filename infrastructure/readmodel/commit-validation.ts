import { InvalidQueryError, type CollectionBatch, type ProjectionFailure } from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { validateCollectionName, validateId } from './query-validation.js';

const isPosition = (p: unknown): p is number => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateCheckpointName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new InvalidQueryError(`checkpoint name: expected a string of 1 to 200 characters`);
}

/** What the projection runner hands to commit, checked before anything is written (every adapter). */
export function validateBatches(batches: unknown): asserts batches is readonly CollectionBatch[] {
  if (!Array.isArray(batches)) throw new InvalidQueryError('commit: expected an array of batches');
  batches.forEach((batch: unknown, b) => {
    if (!isObject(batch)) throw new InvalidQueryError(`commit[${b}]: expected a batch object`);
    validateCollectionName(batch.collection);
    if (!Array.isArray(batch.writes)) throw new InvalidQueryError(`commit[${b}].writes: expected an array`);
    (batch.writes as unknown[]).forEach((w, i) => {
      const where = `commit[${b}].writes[${i}]`;
      if (!isObject(w) || (w.op !== 'put' && w.op !== 'delete')) throw new InvalidQueryError(`${where}: expected {op: 'put'|'delete', ...}`);
      validateId(w.id, `${where}.id`);
      if (!isPosition(w.position)) throw new InvalidQueryError(`${where}.position: expected a non-negative integer`);
      if (w.op === 'put' && !isObject(w.doc)) throw new InvalidQueryError(`${where}.doc: expected a JSON object`);
    });
    const cp = batch.checkpoint;
    if (!isObject(cp)) throw new InvalidQueryError(`commit[${b}].checkpoint: expected an object`);
    validateCheckpointName(cp.name);
    validateCollectionName(cp.collection);
    if (!isPosition(cp.position)) throw new InvalidQueryError(`commit[${b}].checkpoint.position: expected a non-negative integer`);
    if (typeof cp.updatedAt !== 'string') throw new InvalidQueryError(`commit[${b}].checkpoint.updatedAt: expected a string`);
    const expected = cp.expected;
    if (expected !== undefined && !(isObject(expected) && typeof expected.collection === 'string' && isPosition(expected.position))) {
      throw new InvalidQueryError(`commit[${b}].checkpoint.expected: expected undefined or {collection, position}`);
    }
  });
}

export function validateFailure(failure: unknown): asserts failure is ProjectionFailure {
  if (!isObject(failure) || !isPosition(failure.position) || typeof failure.eventType !== 'string' || typeof failure.streamId !== 'string'
    || typeof failure.message !== 'string' || typeof failure.failedAt !== 'string') {
    throw new InvalidQueryError('failure: expected {position, eventType, streamId, message, failedAt}');
  }
}
