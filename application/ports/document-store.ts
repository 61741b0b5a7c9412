import type { JsonObject } from '../../domain/shared/json.js';
import type { Position } from './event-store.js';

/**
 * The read-model store: named collections of JSON documents keyed by id, written in batches by the
 * projection runner and read by the queries. Every adapter (embedded SQLite, MongoDB) implements
 * exactly this and passes the one contract suite in test/readmodel/document-store-contract.ts.
 *
 * Filters are a small subset of MongoDB's query language so that they mean the same thing on both
 * adapters:
 * - a path is dotted field names (`security.passcodePresent`), each matching /^[A-Za-z0-9_-]+$/;
 *   paths address scalars, arrays are not traversed;
 * - `{path: value}` is equality; `null` matches a missing field (documents do not store nulls);
 * - `$eq $ne $in $nin` compare scalars of the same type (`$ne`/`$nin` also match a missing field);
 * - `$gt $gte $lt $lte` compare numbers with numbers and strings with strings (ISO 8601 times are
 *   strings and sort as times); a field of the other type never matches;
 * - `$exists: true|false` tests presence;
 * - `$contains: "text"` matches a string field holding that text (case-sensitive; never a number,
 *   boolean or missing field): how a delimited list kept as one string is searched;
 * - `$and` / `$or` take lists of filters; several keys in one filter object are and-ed.
 * Anything else is refused with InvalidQueryError before any database is asked.
 */

export type Scalar = string | number | boolean | null;

export interface FieldOperators {
  readonly $eq?: Scalar;
  readonly $ne?: Scalar;
  readonly $in?: readonly Scalar[];
  readonly $nin?: readonly Scalar[];
  readonly $gt?: string | number;
  readonly $gte?: string | number;
  readonly $lt?: string | number;
  readonly $lte?: string | number;
  readonly $exists?: boolean;
  readonly $contains?: string;
}

export type FieldCondition = Scalar | FieldOperators;

export interface Filter {
  readonly $and?: readonly Filter[];
  readonly $or?: readonly Filter[];
  readonly [path: string]: FieldCondition | readonly Filter[] | undefined;
}

export interface SortKey {
  readonly path: string;
  readonly direction: 'asc' | 'desc';
}

export interface DocumentQuery {
  readonly filter?: Filter;
  /**
   * Sort keys, applied in order; the id (ascending) always breaks ties so that pages are stable.
   * A missing field sorts before any value (as MongoDB does). Sort fields hold one type each.
   */
  readonly sort?: readonly SortKey[];
  /** Page size, 1 to 1000. */
  readonly limit: number;
  /** The `nextCursor` of the previous page: continue after its last document. */
  readonly cursor?: string;
  /** Dotted paths to return (the id always comes back); omit for whole documents. */
  readonly fields?: readonly string[];
}

export interface StoredDocument<Doc extends JsonObject = JsonObject> {
  readonly id: string;
  readonly doc: Doc;
  /** Position of the last event applied to this document. */
  readonly position: Position;
}

export interface DocumentPage<Doc extends JsonObject = JsonObject> {
  readonly items: readonly StoredDocument<Doc>[];
  /** Present when more documents match: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** An index a projection declares on its collection (ascending or descending per field). */
export interface IndexDeclaration {
  readonly name: string;
  readonly fields: readonly SortKey[];
}

export type DocumentWrite =
  /** Insert or replace the whole document. */
  | { readonly op: 'put'; readonly id: string; readonly doc: JsonObject; readonly position: Position }
  | { readonly op: 'delete'; readonly id: string; readonly position: Position };

/**
 * Where a projection stands: which physical collection holds its documents (a rebuild writes into a
 * new one and then moves the checkpoint there) and the last event position applied to it.
 */
export interface ProjectionCheckpoint {
  readonly name: string;
  readonly collection: string;
  readonly position: Position;
  readonly updatedAt: string;
  /** Set when an event could not be applied: the projection stops there until fixed and rebuilt. */
  readonly failure?: ProjectionFailure;
}

export interface ProjectionFailure {
  readonly position: Position;
  readonly eventType: string;
  readonly streamId: string;
  readonly message: string;
  readonly failedAt: string;
}

export interface CheckpointMove {
  readonly name: string;
  readonly collection: string;
  readonly position: Position;
  readonly updatedAt: string;
  /**
   * What the caller believes is stored now (undefined: no checkpoint yet). A different stored
   * checkpoint (another writer, or a rebuild switched collections) rejects the whole commit with
   * CheckpointConflictError.
   */
  readonly expected: { readonly collection: string; readonly position: Position } | undefined;
}

export interface CollectionBatch {
  readonly collection: string;
  /** At most one write per id: the runner folds a batch into one write per document. */
  readonly writes: readonly DocumentWrite[];
  readonly checkpoint: CheckpointMove;
}

export interface DocumentStore {
  /** Creates the collection when missing and the declared indexes; idempotent. */
  ensureCollection(collection: string, indexes: readonly IndexDeclaration[]): Promise<void>;
  dropCollection(collection: string): Promise<void>;
  listCollections(): Promise<string[]>;

  /**
   * Applies the writes and moves the checkpoints. SQLite: all batches in one transaction (exactly
   * once). MongoDB: each write guarded by the document's stored position (`position < P`), so a
   * batch replayed after a crash changes nothing; the checkpoints are written after the documents.
   */
  commit(batches: readonly CollectionBatch[]): Promise<void>;
  readCheckpoint(name: string): Promise<ProjectionCheckpoint | undefined>;
  listCheckpoints(): Promise<ProjectionCheckpoint[]>;
  /** Records why a projection stopped (kept until the checkpoint is moved again or deleted). */
  recordFailure(name: string, failure: ProjectionFailure): Promise<void>;
  deleteCheckpoint(name: string): Promise<void>;

  get<Doc extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<Doc> | undefined>;
  getMany<Doc extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>>;
  find<Doc extends JsonObject = JsonObject>(collection: string, query: DocumentQuery): Promise<DocumentPage<Doc>>;
  count(collection: string, filter?: Filter): Promise<number>;
  /** How many matching documents hold each value at `path` (missing: key `null`), for summaries. */
  countBy(collection: string, path: string, filter?: Filter): Promise<Map<Scalar, number>>;
  /** Resolves when the store answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DOCUMENT_STORE = Symbol.for('mdm.DocumentStore');

/** A filter, sort, path or cursor the store cannot take (a caller's mistake, never a database error). */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
}

export class CheckpointConflictError extends Error {
  override readonly name = 'CheckpointConflictError';
  constructor(
    readonly checkpoint: string,
    readonly expected: CheckpointMove['expected'],
    readonly actual: { readonly collection: string; readonly position: Position } | undefined,
  ) {
    super(`checkpoint ${checkpoint} moved: expected ${expected ? `${expected.collection}@${expected.position}` : 'none'}, found ${actual ? `${actual.collection}@${actual.position}` : 'none'}`);
  }
}
