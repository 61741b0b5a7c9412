import type { JsonObject } from '../../../domain/shared/json.js';
import type { StoredDocument } from '../../../application/ports/document-store.js';

/**
 * How one document sits in a MongoDB collection. The projection's document is nested under `d` so
 * that our bookkeeping fields can never collide with its fields; a delete leaves a tombstone (no
 * `d`, `_deleted: true`) that keeps its position, so a replayed older put cannot bring it back.
 */
export interface StoredRecord {
  readonly _id: string;
  /** Position of the last event applied, as a BSON number: positions compare numerically. */
  readonly _position: number;
  readonly d?: JsonObject;
  readonly _deleted?: true;
}

/** Where the projection's document lives inside a record. */
export const DOCUMENT_FIELD = 'd';

/** A port path (`a.b`) as a path into the record (`d.a.b`). */
export const recordPath = (path: string): string => `${DOCUMENT_FIELD}.${path}`;

/** The condition every read carries: tombstones are bookkeeping, never documents. */
export const LIVE: { readonly _deleted: { readonly $exists: false } } = { _deleted: { $exists: false } };

export function toStoredDocument<Doc extends JsonObject>(record: StoredRecord, doc: JsonObject = record.d ?? {}): StoredDocument<Doc> {
  return { id: record._id, doc: doc as Doc, position: record._position };
}
