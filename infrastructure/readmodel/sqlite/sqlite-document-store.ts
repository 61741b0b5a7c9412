import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CheckpointConflictError,
  InvalidQueryError,
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
import type { JsonObject } from '../../../domain/shared/json.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  validateCollectionName,
  validateFilter,
  validateId,
  validateIndexDeclaration,
  validatePath,
  validateQuery,
} from '../query-validation.js';
import { validateBatches, validateCheckpointName, validateFailure } from '../commit-validation.js';
import { selectedDocument } from './field-selection.js';
import { documentSql, findSql } from './find-sql.js';
import { TABLE_PREFIX, applyPragmas, createIndexSql, createTableSql, indexName, migrate, tableName, type DocumentStorage } from './schema.js';
import { typeSql, valueSql, whereSql, type SqlValue } from './sql-filter.js';

export interface SqliteDocumentStoreOptions {
  /** How documents are stored; JSONB unless measuring the other. */
  readonly storage?: DocumentStorage;
}

interface DocumentRow {
  id: string;
  position: number;
  doc: string;
}

interface CheckpointRow {
  name: string;
  collection: string;
  position: number;
  updated_at: string;
  failure: string | null;
}

/** The statements every collection uses, prepared once per collection. */
interface CollectionStatements {
  get: BetterSqlite3.Statement<[string], DocumentRow>;
  getMany: BetterSqlite3.Statement<[string], DocumentRow>;
  put: BetterSqlite3.Statement<[string, number, string]>;
  delete: BetterSqlite3.Statement<[string, number]>;
}

/** Queries built from filters: the same shapes recur, so their statements are kept (bounded). */
const MAX_CACHED_QUERIES = 256;

const toCheckpoint = (row: CheckpointRow): ProjectionCheckpoint => ({
  name: row.name,
  collection: row.collection,
  position: row.position,
  updatedAt: row.updated_at,
  ...(row.failure === null ? {} : { failure: JSON.parse(row.failure) as ProjectionFailure }),
});

const isMissingTable = (error: unknown): boolean => error instanceof Error && /^no such table: /.test(error.message);

/**
 * The embedded read-model store: one SQLite file, one table per collection (id, position, doc),
 * expression indexes for the declared indexes, and the checkpoints, all written by a commit in one
 * IMMEDIATE transaction. Another connection (process) may commit to the same file: the checkpoint
 * comparison inside that transaction keeps them from overwriting each other's progress.
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly db: BetterSqlite3.Database;
  private readonly storage: DocumentStorage;
  private readonly collections = new Map<string, CollectionStatements>();
  private readonly queries = new Map<string, BetterSqlite3.Statement>();
  private readonly checkpoint: {
    read: BetterSqlite3.Statement<[string], CheckpointRow>;
    list: BetterSqlite3.Statement<[], CheckpointRow>;
    move: BetterSqlite3.Statement<[string, string, number, string]>;
    fail: BetterSqlite3.Statement<[string, string]>;
    delete: BetterSqlite3.Statement<[string]>;
  };
  private readonly commitAll: BetterSqlite3.Transaction<(batches: readonly CollectionBatch[]) => void>;

  constructor(file: string, options: SqliteDocumentStoreOptions = {}) {
    this.storage = options.storage ?? 'jsonb';
    this.db = new Database(file);
    try {
      applyPragmas(this.db);
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.checkpoint = {
      read: this.db.prepare('SELECT * FROM checkpoints WHERE name = ?'),
      list: this.db.prepare('SELECT * FROM checkpoints ORDER BY name'),
      move: this.db.prepare(`INSERT INTO checkpoints (name, collection, position, updated_at, failure) VALUES (?, ?, ?, ?, NULL)
        ON CONFLICT (name) DO UPDATE SET collection = excluded.collection, position = excluded.position, updated_at = excluded.updated_at, failure = NULL`),
      fail: this.db.prepare('UPDATE checkpoints SET failure = ? WHERE name = ?'),
      delete: this.db.prepare('DELETE FROM checkpoints WHERE name = ?'),
    };
    this.commitAll = this.db.transaction((batches: readonly CollectionBatch[]) => {
      // One batch after the other: a second batch for the same checkpoint sees the first one's move.
      for (const batch of batches) {
        const cp = batch.checkpoint;
        const row = this.checkpoint.read.get(cp.name);
        const actual = row ? { collection: row.collection, position: row.position } : undefined;
        const expected = cp.expected;
        if (actual?.collection !== expected?.collection || actual?.position !== expected?.position) {
          throw new CheckpointConflictError(cp.name, expected, actual);
        }
        const stmt = this.writableStatements(batch.collection);
        for (const w of batch.writes) {
          if (w.op === 'put') stmt.put.run(w.id, w.position, JSON.stringify(w.doc));
          else stmt.delete.run(w.id, w.position);
        }
        this.checkpoint.move.run(cp.name, cp.collection, cp.position, cp.updatedAt);
      }
    });
  }

  async ensureCollection(collection: string, indexes: readonly IndexDeclaration[]): Promise<void> {
    validateCollectionName(collection);
    if (!Array.isArray(indexes)) throw new InvalidQueryError('indexes: expected an array of index declarations');
    indexes.forEach((index) => validateIndexDeclaration(index));
    const existing = this.db.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?");
    this.db.transaction(() => {
      this.db.exec(createTableSql(collection));
      for (const index of indexes) {
        const name = indexName(collection, index.name);
        const sql = createIndexSql(collection, index);
        const current = existing.get(name);
        if (current?.sql === sql) continue;
        // Same name, other fields: the declaration changed, so the index follows it.
        if (current) this.db.exec(`DROP INDEX "${name}"`);
        this.db.exec(sql);
      }
    }).immediate();
  }

  async dropCollection(collection: string): Promise<void> {
    validateCollectionName(collection);
    this.forget(collection);
    this.db.exec(`DROP TABLE IF EXISTS ${tableName(collection)}`);
  }

  async listCollections(): Promise<string[]> {
    const rows = this.db.prepare<[number, string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ? ORDER BY name")
      .all(TABLE_PREFIX.length, TABLE_PREFIX);
    return rows.map((r) => r.name.slice(TABLE_PREFIX.length));
  }

  async commit(batches: readonly CollectionBatch[]): Promise<void> {
    validateBatches(batches);
    if (batches.length === 0) return;
    this.commitAll.immediate(batches);
  }

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint | undefined> {
    validateCheckpointName(name);
    const row = this.checkpoint.read.get(name);
    return row && toCheckpoint(row);
  }

  async listCheckpoints(): Promise<ProjectionCheckpoint[]> {
    return this.checkpoint.list.all().map(toCheckpoint);
  }

  async recordFailure(name: string, failure: ProjectionFailure): Promise<void> {
    validateCheckpointName(name);
    validateFailure(failure);
    const { position, eventType, streamId, message, failedAt } = failure;
    const changed = this.checkpoint.fail.run(JSON.stringify({ position, eventType, streamId, message, failedAt }), name).changes;
    if (changed === 0) throw new Error(`no checkpoint named ${name}: commit one (an empty batch will do) before recording a failure`);
  }

  async deleteCheckpoint(name: string): Promise<void> {
    validateCheckpointName(name);
    this.checkpoint.delete.run(name);
  }

  async get<Doc extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<Doc> | undefined> {
    validateCollectionName(collection);
    validateId(id);
    const row = this.whenPresent(collection, undefined, (stmt) => stmt.get.get(id));
    return row && { id: row.id, position: row.position, doc: JSON.parse(row.doc) as Doc };
  }

  async getMany<Doc extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>> {
    validateCollectionName(collection);
    ids.forEach((id, i) => validateId(id, `ids[${i}]`));
    const found = new Map<string, StoredDocument<Doc>>();
    if (ids.length === 0) return found;
    const rows = this.whenPresent(collection, [], (stmt) => stmt.getMany.all(JSON.stringify(ids)));
    for (const row of rows) found.set(row.id, { id: row.id, position: row.position, doc: JSON.parse(row.doc) as Doc });
    return found;
  }

  async find<Doc extends JsonObject = JsonObject>(collection: string, query: DocumentQuery): Promise<DocumentPage<Doc>> {
    validateCollectionName(collection);
    validateQuery(query);
    const sortKeys = query.sort ?? [];
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sortKeys.length);
    const { sql, params } = findSql(tableName(collection), query, cursor, this.storage);
    const rows = this.whenPresent(collection, [], () => this.query(sql).all(...params) as Record<string, SqlValue>[]);
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const fields = query.fields;
    const items = page.map((row): StoredDocument<Doc> => ({
      id: row.id as string,
      position: row.position as number,
      doc: (fields ? selectedDocument(fields, fields.map((_, i) => row[`f${i}`] as string | null)) : JSON.parse(row.doc as string)) as Doc,
    }));
    if (!more) return { items };
    const last = page[page.length - 1]!;
    return { items, nextCursor: encodeCursor(sortKeys.map((_, i) => last[`s${i}`] as Scalar), last.id as string) };
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    validateCollectionName(collection);
    if (filter !== undefined) validateFilter(filter);
    const where = whereSql(filter);
    const sql = `SELECT count(*) AS n FROM ${tableName(collection)} WHERE ${where.sql}`;
    return this.whenPresent(collection, 0, () => (this.query(sql).get(...where.params) as { n: number }).n);
  }

  async countBy(collection: string, path: string, filter?: Filter): Promise<Map<Scalar, number>> {
    validateCollectionName(collection);
    validatePath(path);
    if (filter !== undefined) validateFilter(filter);
    const where = whereSql(filter);
    // The type tells true/false from 1/0, which json_extract gives for both; asked only for 1 and 0
    // because it reads the document, where the value alone can come from an index.
    const value = valueSql(path);
    const sql = `SELECT ${value} AS v, CASE WHEN ${value} IN (0, 1) THEN ${typeSql(path)} END AS t, count(*) AS n FROM ${tableName(collection)} WHERE ${where.sql} GROUP BY 1, 2`;
    const rows = this.whenPresent(collection, [], () => this.query(sql).all(...where.params) as { v: SqlValue; t: string | null; n: number }[]);
    const counts = new Map<Scalar, number>();
    for (const row of rows) {
      const key: Scalar = row.t === 'true' ? true : row.t === 'false' ? false : row.v;
      counts.set(key, (counts.get(key) ?? 0) + row.n);
    }
    return counts;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private statements(collection: string): CollectionStatements {
    let stmt = this.collections.get(collection);
    if (!stmt) {
      const table = tableName(collection);
      const doc = documentSql(this.storage);
      const input = this.storage === 'jsonb' ? 'jsonb(?)' : 'json(?)';
      stmt = {
        get: this.db.prepare(`SELECT id, position, ${doc} AS doc FROM ${table} WHERE id = ?`),
        getMany: this.db.prepare(`SELECT id, position, ${doc} AS doc FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`),
        // Guarded: a write no newer than what the document already reflects changes nothing.
        put: this.db.prepare(`INSERT INTO ${table} (id, position, doc) VALUES (?, ?, ${input})
          ON CONFLICT (id) DO UPDATE SET position = excluded.position, doc = excluded.doc WHERE excluded.position > ${table}.position`),
        delete: this.db.prepare(`DELETE FROM ${table} WHERE id = ? AND position < ?`),
      };
      this.collections.set(collection, stmt);
    }
    return stmt;
  }

  private writableStatements(collection: string): CollectionStatements {
    try {
      return this.statements(collection);
    } catch (error) {
      if (isMissingTable(error)) throw new Error(`collection ${collection} does not exist: ensureCollection before committing to it`);
      throw error;
    }
  }

  private query(sql: string): BetterSqlite3.Statement {
    let stmt = this.queries.get(sql);
    if (stmt) {
      // Most recently used last, so the oldest is evicted first.
      this.queries.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.queries.size >= MAX_CACHED_QUERIES) this.queries.delete(this.queries.keys().next().value!);
    }
    this.queries.set(sql, stmt);
    return stmt;
  }

  /** Reads of a collection that does not exist (yet, or any more) find nothing, as in MongoDB. */
  private whenPresent<T>(collection: string, absent: T, read: (stmt: CollectionStatements) => T): T {
    try {
      return read(this.statements(collection));
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      this.forget(collection);
      return absent;
    }
  }

  private forget(collection: string): void {
    this.collections.delete(collection);
    const table = tableName(collection);
    for (const sql of this.queries.keys()) if (sql.includes(` FROM ${table} `)) this.queries.delete(sql);
  }
}

export const openSqliteDocumentStore = (file: string): SqliteDocumentStore => new SqliteDocumentStore(file);
