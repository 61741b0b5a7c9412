import { MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import type { JsonObject } from '../../../domain/shared/json.js';
import {
  CheckpointConflictError,
  type CheckpointMove,
  type CollectionBatch,
  type DocumentPage,
  type DocumentQuery,
  type DocumentStore,
  type Filter,
  type IndexDeclaration,
  type ProjectionCheckpoint,
  type ProjectionFailure,
  type Scalar,
  type StoredDocument,
} from '../../../application/ports/document-store.js';
import { decodeCursor, encodeCursor, sortValue } from '../cursor.js';
import {
  validateCollectionName,
  validateFilter,
  validateId,
  validateIndexDeclaration,
  validatePath,
  validateQuery,
} from '../query-validation.js';
import { bulkOperations, DUPLICATE_KEY, onlyAlreadyApplied } from './bulk-operations.js';
import { checkpointUpdate, firstCheckpoint, failureUpdate, placeOf, samePlace, toCheckpoint, type CheckpointPlace, type CheckpointRecord } from './checkpoint-ops.js';
import { connectionFailureMessage, databaseNameOf, invalidConnectionStringMessage } from './connection-text.js';
import { withDeadline } from './deadline.js';
import { conflictingIndexes, indexSpecs, type ExistingIndex } from './index-specs.js';
import { LIVE, toStoredDocument, type StoredRecord } from './stored-record.js';
import { afterPageEnd, countByPipeline, pickFields, readFilter, toCounts, translateProjection, translateSort } from './translate-query.js';
import { validateCheckpointMove, validateWrites } from './write-validation.js';

/** Holds the checkpoints; its leading underscore is outside the read-model collection names. */
export const CHECKPOINTS_COLLECTION = '_checkpoints';
export const DEFAULT_DATABASE = 'mdm';

const NAMESPACE_EXISTS = 48;
const NAMESPACE_NOT_FOUND = 26;

export interface MongoDocumentStoreOptions {
  /** Bound on connecting and on each ping, ours rather than the driver's. */
  readonly deadlineMs?: number;
}

/**
 * The read-model store on MongoDB. A thin layer: queries are validated with the shared rules, then
 * translated by the pure functions beside this file; what this class adds is the order of the
 * calls and the reading of their answers.
 */
export class MongoDocumentStore implements DocumentStore {
  private readonly db: Db;
  private readonly checkpoints: Collection<CheckpointRecord>;
  private readonly deadlineMs: number;

  /** Over a client that may not be connected yet: the driver connects on the first call. */
  constructor(private readonly client: MongoClient, databaseName: string, options: MongoDocumentStoreOptions = {}) {
    // A key holding undefined is left out, as JSON.stringify does, rather than stored as null
    // (which `$exists` would see).
    this.db = client.db(databaseName, { ignoreUndefined: true });
    this.checkpoints = this.db.collection<CheckpointRecord>(CHECKPOINTS_COLLECTION);
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  private records(collection: string): Collection<StoredRecord> {
    validateCollectionName(collection);
    return this.db.collection<StoredRecord>(collection);
  }

  async ensureCollection(collection: string, indexes: readonly IndexDeclaration[]): Promise<void> {
    validateCollectionName(collection);
    indexes.forEach((index) => validateIndexDeclaration(index));
    try {
      await this.db.createCollection(collection);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
    }
    const specs = indexSpecs(indexes);
    if (specs.length === 0) return;
    const records = this.records(collection);
    const existing = (await records.listIndexes().toArray()) as ExistingIndex[];
    for (const name of conflictingIndexes(existing, specs)) await records.dropIndex(name);
    await records.createIndexes(specs);
  }

  async dropCollection(collection: string): Promise<void> {
    validateCollectionName(collection);
    try {
      await this.db.dropCollection(collection);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
    }
  }

  async listCollections(): Promise<string[]> {
    const found = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return found.map((c) => c.name).filter((name) => name !== CHECKPOINTS_COLLECTION && !name.startsWith('system.')).sort();
  }

  async commit(batches: readonly CollectionBatch[]): Promise<void> {
    for (const batch of batches) {
      validateCollectionName(batch.collection);
      validateCheckpointMove(batch.checkpoint);
      validateWrites(batch.writes);
    }
    await this.checkExpectedCheckpoints(batches.map((b) => b.checkpoint));
    for (const batch of batches) {
      if (batch.writes.length > 0) {
        try {
          await this.records(batch.collection).bulkWrite(bulkOperations(batch.writes), { ordered: false });
        } catch (error) {
          if (!onlyAlreadyApplied(error)) throw error;
        }
      }
      await this.moveCheckpoint(batch.checkpoint);
    }
  }

  /**
   * Refuses the commit before any document is written when a checkpoint already stands elsewhere
   * than its move expects. The compare-and-set after the documents still decides; this spares the
   * writes of a commit that would be refused anyway.
   */
  private async checkExpectedCheckpoints(moves: readonly CheckpointMove[]): Promise<void> {
    if (moves.length === 0) return;
    const stored = await this.checkpoints.find({ _id: { $in: [...new Set(moves.map((m) => m.name))] } }).toArray();
    const places = new Map<string, CheckpointPlace>(stored.map((r) => [r._id, placeOf(r)]));
    for (const move of moves) {
      const actual = places.get(move.name);
      if (!samePlace(move.expected, actual)) throw new CheckpointConflictError(move.name, move.expected, actual);
      places.set(move.name, { collection: move.collection, position: move.position });
    }
  }

  private async moveCheckpoint(move: CheckpointMove): Promise<void> {
    const { expected } = move;
    if (expected === undefined) {
      try {
        await this.checkpoints.insertOne(firstCheckpoint(move));
        return;
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    } else {
      const { filter, update } = checkpointUpdate({ ...move, expected });
      const result = await this.checkpoints.updateOne(filter, update);
      if (result.matchedCount === 1) return;
    }
    throw new CheckpointConflictError(move.name, expected, placeOf(await this.checkpoints.findOne({ _id: move.name })));
  }

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint | undefined> {
    validateId(name, 'checkpoint name');
    const record = await this.checkpoints.findOne({ _id: name });
    return record ? toCheckpoint(record) : undefined;
  }

  async listCheckpoints(): Promise<ProjectionCheckpoint[]> {
    const records = await this.checkpoints.find({}).sort({ _id: 1 }).toArray();
    return records.map(toCheckpoint);
  }

  async recordFailure(name: string, failure: ProjectionFailure): Promise<void> {
    validateId(name, 'checkpoint name');
    const result = await this.checkpoints.updateOne({ _id: name }, failureUpdate(failure));
    // A failure belongs to a checkpoint: without one there is no collection to say it stopped in.
    if (result.matchedCount === 0) throw new Error(`no checkpoint ${name} to record a failure on`);
  }

  async deleteCheckpoint(name: string): Promise<void> {
    validateId(name, 'checkpoint name');
    await this.checkpoints.deleteOne({ _id: name });
  }

  async get<Doc extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<Doc> | undefined> {
    const records = this.records(collection);
    validateId(id);
    const record = await records.findOne({ _id: id, ...LIVE });
    return record ? toStoredDocument<Doc>(record) : undefined;
  }

  async getMany<Doc extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>> {
    const records = this.records(collection);
    ids.forEach((id, i) => validateId(id, `ids[${i}]`));
    const found = new Map<string, StoredDocument<Doc>>();
    if (ids.length === 0) return found;
    for (const record of await records.find({ _id: { $in: [...new Set(ids)] }, ...LIVE }).toArray()) found.set(record._id, toStoredDocument<Doc>(record));
    return found;
  }

  async find<Doc extends JsonObject = JsonObject>(collection: string, query: DocumentQuery): Promise<DocumentPage<Doc>> {
    const records = this.records(collection);
    validateQuery(query);
    const sort = query.sort ?? [];
    const after = query.cursor === undefined ? undefined : afterPageEnd(sort, decodeCursor(query.cursor, sort.length));
    const rows = await records
      .find(readFilter(query.filter, after), {
        sort: translateSort(sort),
        limit: query.limit + 1,
        ...(query.fields ? { projection: translateProjection(query.fields, sort) } : {}),
      })
      .toArray();
    const page = rows.slice(0, query.limit);
    const items = page.map((r) => toStoredDocument<Doc>(r, query.fields ? pickFields(r.d ?? {}, query.fields) : r.d));
    const last = page[page.length - 1];
    if (rows.length <= query.limit || !last) return { items };
    return { items, nextCursor: encodeCursor(sort.map((k) => sortValue(last.d ?? {}, k.path)), last._id) };
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    const records = this.records(collection);
    if (filter !== undefined) validateFilter(filter);
    return records.countDocuments(readFilter(filter));
  }

  async countBy(collection: string, path: string, filter?: Filter): Promise<Map<Scalar, number>> {
    const records = this.records(collection);
    validatePath(path);
    if (filter !== undefined) validateFilter(filter);
    return toCounts(await records.aggregate(countByPipeline(path, filter)).toArray());
  }

  async ping(): Promise<void> {
    await withDeadline(this.db.command({ ping: 1 }), this.deadlineMs, 'ping');
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Connects to the MongoDB at `url` and checks that it answers. The database is `databaseName`, else
 * the one the connection string names, else `mdm`. Failures say where (password hidden) and why.
 */
export async function openMongoDocumentStore(url: string, databaseName?: string, options: MongoDocumentStoreOptions = {}): Promise<MongoDocumentStore> {
  const deadlineMs = options.deadlineMs ?? 10_000;
  let client: MongoClient;
  try {
    client = new MongoClient(url, { serverSelectionTimeoutMS: Math.min(5_000, deadlineMs), connectTimeoutMS: Math.min(5_000, deadlineMs), appName: 'mdm-server' });
  } catch (error) {
    throw new Error(invalidConnectionStringMessage(url, error));
  }
  const store = new MongoDocumentStore(client, databaseName ?? databaseNameOf(url) ?? DEFAULT_DATABASE, { deadlineMs });
  try {
    await withDeadline(client.connect().then(() => store.ping()), deadlineMs, 'connect');
    return store;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(connectionFailureMessage(url, error));
  }
}
