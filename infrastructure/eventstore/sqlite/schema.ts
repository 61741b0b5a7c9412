import type BetterSqlite3 from 'better-sqlite3';

/** How much a committed append survives. */
export type Durability =
  /** Survives the process being killed (kill -9): WAL, synchronous=NORMAL. */
  | 'process'
  /** Survives power loss: the WAL is fsynced at every commit (group commit amortises it). */
  | 'power';

export function applyPragmas(db: BetterSqlite3.Database, durability: Durability): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'power' ? 'FULL' : 'NORMAL'}`);
  // Another process (the CLI) may hold the write lock briefly; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
}

/**
 * `events.position` is the global order (AUTOINCREMENT: never reused, even after a rollback of the
 * last row). `streams` holds each stream's head so an append reads one row to learn the expected
 * revision and the hash to chain to.
 */
export function migrate(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position    INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id   TEXT    NOT NULL,
      revision    INTEGER NOT NULL,
      event_id    TEXT    NOT NULL,
      type        TEXT    NOT NULL,
      data        TEXT    NOT NULL,
      metadata    TEXT    NOT NULL,
      recorded_at TEXT    NOT NULL,
      UNIQUE (stream_id, revision)
    );
    CREATE TABLE IF NOT EXISTS streams (
      stream_id TEXT PRIMARY KEY,
      revision  INTEGER NOT NULL,
      hash      TEXT    NOT NULL
    ) WITHOUT ROWID;
  `);
}
