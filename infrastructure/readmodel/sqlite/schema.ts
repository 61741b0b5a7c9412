import type BetterSqlite3 from 'better-sqlite3';
import type { IndexDeclaration } from '../../../application/ports/document-store.js';
import { valueSql } from './sql-filter.js';

/**
 * How documents are kept in their column: JSON text, or SQLite's binary JSONB (3.45+), which
 * json_extract reads without parsing the whole document again.
 */
export type DocumentStorage = 'text' | 'jsonb';

/**
 * Read models are rebuildable from the event store, and documents commit atomically with their
 * checkpoint, so losing the last commits to a power cut only means replaying them: NORMAL suffices.
 */
export function applyPragmas(db: BetterSqlite3.Database): void {
  // Documents are 3-8 KB: with 8 KB pages most fit on one page (4 KB pages chain overflow pages),
  // and a replay rewriting documents in random order copies one page per document into the WAL
  // (16 KB pages copy their neighbours too): measured about 15% more writes/s than 4 or 16 KB.
  // Takes effect only when the file is created (before WAL is switched on).
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Another process may hold the write lock for a commit; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  // Replays rewrite the same index pages many times: checkpointing every 128 MB of WAL instead of
  // every 8 MB copies each of them to the file once per checkpoint rather than once per commit.
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('journal_size_limit = 268435456');
  db.pragma('cache_size = -65536');
}

export function migrate(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS checkpoints (
      name        TEXT    PRIMARY KEY,
      collection  TEXT    NOT NULL,
      position    INTEGER NOT NULL,
      updated_at  TEXT    NOT NULL,
      failure     TEXT
    ) WITHOUT ROWID;
  `);
}

/** Collections live in tables with this prefix, apart from the checkpoints and SQLite's own. */
export const TABLE_PREFIX = 'docs_';

/** The quoted table name of a validated collection name. */
export const tableName = (collection: string): string => `"${TABLE_PREFIX}${collection}"`;

export const createTableSql = (collection: string): string =>
  `CREATE TABLE IF NOT EXISTS ${tableName(collection)} (id TEXT PRIMARY KEY, position INTEGER NOT NULL, doc NOT NULL)`;

export const indexName = (collection: string, index: string): string => `${TABLE_PREFIX}${collection}__${index}`;

/**
 * An index over the very expressions the queries use, then the id: a sort on the declared fields
 * with the id tiebreak is then read in index order with no sorting step.
 */
export const createIndexSql = (collection: string, index: IndexDeclaration): string =>
  `CREATE INDEX "${indexName(collection, index.name)}" ON ${tableName(collection)} (${index.fields
    .map((f) => `${valueSql(f.path)} ${f.direction === 'desc' ? 'DESC' : 'ASC'}`)
    .join(', ')}, id)`;
