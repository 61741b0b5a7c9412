import { join } from 'node:path';
import { SqliteDocumentStore, openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { tempDir } from '../support/temp-dir.js';
import { documentStoreContract } from './document-store-contract.js';

for (const storage of ['jsonb', 'text'] as const) {
  const dir = tempDir('mdm-readmodel-');
  let n = 0;
  documentStoreContract(
    `SQLite (${storage})`,
    async () => (storage === 'jsonb' ? openSqliteDocumentStore(join(dir.path, `docs-${++n}.db`)) : new SqliteDocumentStore(join(dir.path, `docs-${++n}.db`), { storage })),
    async (store) => {
      await store.close();
      dir.remove();
    },
  );
}
