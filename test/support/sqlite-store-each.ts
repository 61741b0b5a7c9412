import { join } from 'node:path';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { tempDir } from './temp-dir.js';

/** A fresh embedded event store in a fresh directory for every test of the enclosing describe. */
export function eachSqliteStore(use: (store: SqliteEventStore, dir: ReturnType<typeof tempDir>) => void): void {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    use(store, dir);
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });
}
