import { InvalidQueryError, type Scalar } from '../../application/ports/document-store.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { isScalar, validateCursorForm } from './query-validation.js';

/**
 * Keyset cursors: the sort values and the id of the last document of a page, as base64url JSON.
 * The next page starts strictly after that (values, id) in the query's order, so documents
 * inserted or removed between pages cause neither duplicates nor gaps among the others.
 * A cursor is opaque to callers and is not signed: decoding only ever yields scalars bound as
 * query parameters, so a forged cursor can at worst pick another starting point.
 */

export interface DecodedCursor {
  readonly values: readonly Scalar[];
  readonly id: string;
}

export function encodeCursor(sortValues: readonly Scalar[], id: string): string {
  return Buffer.from(JSON.stringify([sortValues, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: unknown, sortKeyCount: number): DecodedCursor {
  validateCursorForm(cursor);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidQueryError('cursor: not a cursor this store issued');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidQueryError('cursor: not a cursor this store issued');
  const [values, id] = parsed as [unknown, unknown];
  if (typeof id !== 'string' || id.length === 0) throw new InvalidQueryError('cursor: not a cursor this store issued');
  if (!Array.isArray(values) || !values.every(isScalar)) throw new InvalidQueryError('cursor: not a cursor this store issued');
  if (values.length !== sortKeyCount) {
    throw new InvalidQueryError(`cursor: made for ${values.length} sort key(s), this query has ${sortKeyCount}`);
  }
  return { values: values as Scalar[], id };
}

/** The scalar at a dotted path, or null when a segment is missing or the value is not a scalar. */
export function sortValue(doc: JsonObject, path: string): Scalar {
  let current: JsonValue | undefined = doc;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return null;
    current = Object.prototype.hasOwnProperty.call(current, segment) ? (current as JsonObject)[segment] : undefined;
  }
  return current === undefined || !isScalar(current) ? null : current;
}
