import Database from 'better-sqlite3';
import { expect } from 'chai';
import { join } from 'node:path';
import { CheckpointConflictError, type DocumentQuery, type DocumentStore, type Filter, type IndexDeclaration } from '../../application/ports/document-store.js';
import { decodeCursor, encodeCursor } from '../../infrastructure/readmodel/cursor.js';
import { findSql } from '../../infrastructure/readmodel/sqlite/find-sql.js';
import { tableName } from '../../infrastructure/readmodel/sqlite/schema.js';
import { whereSql } from '../../infrastructure/readmodel/sqlite/sql-filter.js';
import { SqliteDocumentStore, openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { tempDir } from '../support/temp-dir.js';
import { documentStoreContract } from './document-store-contract.js';

for (const storage of ['jsonb', 'text'] as const) {
  const dir = tempDir('mdm-readmodel-');
  documentStoreContract(
    `SQLite (${storage})`,
    async () => new SqliteDocumentStore(join(dir.path, 'docs.db'), { storage }),
    async (store) => {
      await store.close();
      dir.remove();
    },
  );
}

describe('SQLite document store', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  const opened: DocumentStore[] = [];
  const open = (): SqliteDocumentStore => {
    const store = openSqliteDocumentStore(file);
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    dir = tempDir('mdm-readmodel-');
    file = join(dir.path, 'docs.db');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    dir.remove();
  });

  const indexes: IndexDeclaration[] = [
    { name: 'byStateModelSeen', fields: [{ path: 'state', direction: 'asc' }, { path: 'model', direction: 'asc' }, { path: 'seen', direction: 'desc' }] },
    { name: 'bySerial', fields: [{ path: 'hw.serial', direction: 'asc' }] },
  ];

  async function seeded(): Promise<SqliteDocumentStore> {
    const store = open();
    await store.ensureCollection('inventory', indexes);
    const writes = Array.from({ length: 300 }, (_, i) => ({
      op: 'put' as const, id: `d${i}`, position: i + 1,
      doc: { state: ['enrolled', 'quarantined'][i % 2]!, model: `m${i % 3}`, seen: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, hw: { serial: `S${i}` } },
    }));
    await store.commit([{ collection: 'inventory', writes, checkpoint: { name: 'inventory', collection: 'inventory', position: 300, updatedAt: 't', expected: undefined } }]);
    return store;
  }

  describe('indexes', () => {
    const plan = (sql: string, params: unknown[]): string[] => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      } finally {
        db.close();
      }
    };
    const findPlan = (query: DocumentQuery): string[] => {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort?.length ?? 0);
      const { sql, params } = findSql(tableName('inventory'), query, cursor, 'jsonb');
      return plan(sql, params);
    };

    it('serves equality filters and the sort from the declared expression index, with no sorting step', async () => {
      await seeded();
      const query: DocumentQuery = { filter: { state: 'enrolled', model: 'm1' }, sort: [{ path: 'seen', direction: 'desc' }], limit: 50 };
      expect(findPlan(query)).to.deep.equal(['SEARCH docs_inventory USING INDEX docs_inventory__byStateModelSeen (<expr>=? AND <expr>=?)']);
      expect(findPlan({ ...query, cursor: encodeCursor(['2026-01-01T00:00:30Z'], 'd7') })).to.deep.equal(['SEARCH docs_inventory USING INDEX docs_inventory__byStateModelSeen (<expr>=? AND <expr>=?)']);
      expect(findPlan({ filter: { 'hw.serial': { $in: ['S1', 'S2'] } }, limit: 10 }).join()).to.match(/USING INDEX docs_inventory__bySerial \(<expr>=\?\)/);
      expect(findPlan({ filter: { 'hw.serial': { $gte: 'S1', $lt: 'S2' } }, limit: 10 }).join()).to.match(/USING INDEX docs_inventory__bySerial \(<expr>>\? AND <expr><\?\)/);
      const where = whereSql({ state: 'enrolled', model: 'm1' });
      expect(plan(`SELECT count(*) FROM ${tableName('inventory')} WHERE ${where.sql}`, where.params)).to.deep.equal([
        'SEARCH docs_inventory USING COVERING INDEX docs_inventory__byStateModelSeen (<expr>=? AND <expr>=?)',
      ]);
    });

    it('follows a changed declaration and keeps an unchanged one', async () => {
      const store = await seeded();
      const sqlOf = () => {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as { name: string; sql: string }[]);
        } finally {
          db.close();
        }
      };
      const before = sqlOf();
      await store.ensureCollection('inventory', indexes);
      expect(sqlOf()).to.deep.equal(before);
      await store.ensureCollection('inventory', [{ name: 'bySerial', fields: [{ path: 'hw.serial', direction: 'desc' }] }]);
      const after = sqlOf().find((i) => i.name === 'docs_inventory__bySerial')!;
      expect(after.sql).to.contain(`json_extract(doc, '$."hw"."serial"') DESC`);
      expect(await store.count('inventory', { 'hw.serial': 'S5' })).to.equal(1);
    });
  });

  describe('two connections on one file', () => {
    it('each sees the other commits, and a stale checkpoint loses', async () => {
      const a = await seeded();
      const b = open();
      expect(await b.count('inventory', { state: 'enrolled' })).to.equal(150);
      const move = (store: DocumentStore, from: number, to: number, id: string) => store.commit([{
        collection: 'inventory',
        writes: [{ op: 'put', id, position: to, doc: { state: 'new', by: id } }],
        checkpoint: { name: 'inventory', collection: 'inventory', position: to, updatedAt: 't', expected: { collection: 'inventory', position: from } },
      }]);
      await move(b, 300, 301, 'from-b');
      expect((await a.get('inventory', 'from-b'))?.doc).to.deep.equal({ state: 'new', by: 'from-b' });
      const lost = await move(a, 300, 301, 'from-a').then(() => undefined, (e: unknown) => e);
      expect(lost).to.be.instanceOf(CheckpointConflictError);
      expect(await b.get('inventory', 'from-a')).to.equal(undefined);
      await move(a, 301, 302, 'from-a');
      expect((await b.readCheckpoint('inventory'))?.position).to.equal(302);
      expect(await b.count('inventory', { state: 'new' })).to.equal(2);
    });

    it('one drops a collection the other has read: the other then finds it empty', async () => {
      const a = await seeded();
      const b = open();
      expect(await a.count('inventory')).to.equal(300);
      await b.dropCollection('inventory');
      expect(await a.count('inventory')).to.equal(0);
      expect(await a.get('inventory', 'd1')).to.equal(undefined);
      expect(await a.listCollections()).to.deep.equal([]);
    });
  });

  describe('hostile input', () => {
    it('stores and matches values literally', async () => {
      const store = open();
      await store.ensureCollection('c', []);
      const nasty = ["'); DROP TABLE docs_c; --", '" OR 1=1 --', '%', '_', '\\', '$.a', '\u0000x'];
      const writes = nasty.map((v, i) => ({ op: 'put' as const, id: v, position: i + 1, doc: { v, [`k'"${i}`]: v } }));
      await store.commit([{ collection: 'c', writes, checkpoint: { name: 'c', collection: 'c', position: 9, updatedAt: 't', expected: undefined } }]);
      for (const v of nasty) {
        expect((await store.find('c', { limit: 10, filter: { v } })).items.map((d) => d.id)).to.deep.equal([v]);
        expect((await store.get('c', v))?.doc.v).to.equal(v);
      }
      expect(await store.count('c', { v: { $in: nasty } })).to.equal(nasty.length);
      expect(await store.listCollections()).to.deep.equal(['c']);
    });

    it('keeps arrays and objects apart from strings that spell them, and booleans from 1 and 0', async () => {
      const store = open();
      await store.ensureCollection('c', []);
      const docs = { arr: { v: ['x'] }, obj: { v: { k: 1 } }, str: { v: '["x"]' }, ostr: { v: '{"k":1}' }, one: { v: 1 }, yes: { v: true } };
      const writes = Object.entries(docs).map(([id, doc], i) => ({ op: 'put' as const, id, doc, position: i + 1 }));
      await store.commit([{ collection: 'c', writes, checkpoint: { name: 'c', collection: 'c', position: 9, updatedAt: 't', expected: undefined } }]);
      const ids = async (filter: Filter) => (await store.find('c', { limit: 10, filter })).items.map((d) => d.id).sort();
      expect(await ids({ v: '["x"]' })).to.deep.equal(['str']);
      expect(await ids({ v: { $in: ['{"k":1}', 'zz'] } })).to.deep.equal(['ostr']);
      expect(await ids({ v: { $gte: '[' } })).to.deep.equal(['ostr', 'str']);
      expect(await ids({ v: { $ne: '["x"]' } })).to.deep.equal(['arr', 'obj', 'one', 'ostr', 'yes']);
      expect(await ids({ v: 1 })).to.deep.equal(['one']);
      expect(await ids({ v: { $gt: 0.5 } })).to.deep.equal(['one']);
    });

    it('refuses paths and names that would leave the quoted SQL they are embedded in', async () => {
      const store = open();
      for (const path of ["a')) OR 1=1 --", 'a"."b', 'a.b]', "a'"]) {
        await store.find('c', { limit: 1, filter: { [path]: 1 } }).then(() => expect.fail(path), (e: Error) => expect(e.name).to.equal('InvalidQueryError'));
        await store.find('c', { limit: 1, sort: [{ path, direction: 'asc' }] }).then(() => expect.fail(path), (e: Error) => expect(e.name).to.equal('InvalidQueryError'));
      }
      await store.dropCollection('c"; DROP TABLE checkpoints; --').then(() => expect.fail(), (e: Error) => expect(e.name).to.equal('InvalidQueryError'));
      await store.ensureCollection('c', [{ name: 'x"; DROP TABLE checkpoints; --', fields: [{ path: 'a', direction: 'asc' }] }]).then(() => expect.fail(), (e: Error) => expect(e.name).to.equal('InvalidQueryError'));
      expect(await store.listCheckpoints()).to.deep.equal([]);
    });
  });

  it('persists across reopening the file', async () => {
    const store = await seeded();
    await store.close();
    const again = open();
    expect(await again.count('inventory')).to.equal(300);
    expect((await again.readCheckpoint('inventory'))?.position).to.equal(300);
  });
});
