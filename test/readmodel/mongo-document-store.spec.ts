import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { DocumentStore } from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { CHECKPOINTS_COLLECTION, MongoDocumentStore, openMongoDocumentStore } from '../../infrastructure/readmodel/mongo/mongo-document-store.js';
import { documentStoreContract } from './document-store-contract.js';

/**
 * The MongoDB adapter against a real server, which only runs where one is given in MONGODB_URL
 * (none can run on the build machines). Each store gets a database of its own, dropped afterwards.
 */
const url = process.env.MONGODB_URL;
const runId = randomUUID().slice(0, 8);
let databases = 0;
const nextDatabase = (): string => `mdm_test_${runId}_${++databases}`;

describe(`MongoDB read-model store${url ? '' : ' (pending: set MONGODB_URL to run against a server)'}`, function () {
  let admin: MongoClient;
  const opened = new Map<DocumentStore, string>();

  before(async function () {
    if (!url) this.skip();
    admin = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
  });

  const open = async (): Promise<DocumentStore> => {
    const database = nextDatabase();
    const store = await openMongoDocumentStore(url!, database);
    opened.set(store, database);
    return store;
  };
  const dispose = async (store: DocumentStore): Promise<void> => {
    await store.close();
    const database = opened.get(store);
    opened.delete(store);
    if (database) await admin.db(database).dropDatabase();
  };

  documentStoreContract('mongodb', open, dispose);

  describe('storage', () => {
    let store: MongoDocumentStore;
    let database: string;
    beforeEach(async () => {
      database = nextDatabase();
      store = await openMongoDocumentStore(url!, database);
      await store.ensureCollection('devices', [{ name: 'by_os', fields: [{ path: 'os.version', direction: 'desc' }] }]);
    });
    afterEach(async () => {
      await store.close();
      await admin.db(database).dropDatabase();
    });

    const checkpoint = (position: number, expected?: number) => ({
      name: 'devices', collection: 'devices', position, updatedAt: '2025-01-01T00:00:00.000Z',
      expected: expected === undefined ? undefined : { collection: 'devices', position: expected },
    });

    it('stores positions as BSON numbers and documents under d', async () => {
      await store.commit([{ collection: 'devices', writes: [{ op: 'put', id: 'a', doc: { os: { version: '17' } }, position: 2 ** 33 }], checkpoint: checkpoint(2 ** 33) }]);
      const raw = await admin.db(database).collection('devices').findOne({ _id: 'a' as never, _position: { $type: 'number' } });
      expect(raw).to.deep.equal({ _id: 'a', _position: 2 ** 33, d: { os: { version: '17' } } });
      const cp = await admin.db(database).collection(CHECKPOINTS_COLLECTION).findOne({ _id: 'devices' as never, position: { $type: 'number' } });
      expect(cp?.position).to.equal(2 ** 33);
    });

    it('leaves out keys holding undefined, as JSON does', async () => {
      const doc = { name: 'A', serial: undefined } as unknown as JsonObject;
      await store.commit([{ collection: 'devices', writes: [{ op: 'put', id: 'a', doc, position: 1 }], checkpoint: checkpoint(1) }]);
      expect((await store.get('devices', 'a'))?.doc).to.deep.equal({ name: 'A' });
      expect(await store.count('devices', { serial: { $exists: true } })).to.equal(0);
    });

    it('keeps a tombstone that stops an older put replayed later', async () => {
      await store.commit([{ collection: 'devices', writes: [{ op: 'put', id: 'a', doc: { v: 1 }, position: 5 }], checkpoint: checkpoint(5) }]);
      await store.commit([{ collection: 'devices', writes: [{ op: 'delete', id: 'a', position: 9 }], checkpoint: checkpoint(9, 5) }]);
      expect(await admin.db(database).collection('devices').findOne({ _id: 'a' as never })).to.deep.equal({ _id: 'a', _position: 9, _deleted: true });
      // The same old batch again, as after a crash between documents and checkpoint.
      await store.commit([{ collection: 'devices', writes: [{ op: 'put', id: 'a', doc: { v: 1 }, position: 5 }], checkpoint: checkpoint(10, 9) }]);
      expect(await store.get('devices', 'a')).to.equal(undefined);
      expect(await store.count('devices')).to.equal(0);
      expect(await store.countBy('devices', 'v')).to.deep.equal(new Map());
    });

    it('creates the declared index on the document path, ending with the id', async () => {
      const indexes = await admin.db(database).collection('devices').listIndexes().toArray();
      const byOs = indexes.find((i) => i.name === 'by_os');
      expect(byOs?.key).to.deep.equal({ 'd.os.version': -1, _id: 1 });
    });

    it('replaces an index redeclared with other fields under the same name', async () => {
      await store.ensureCollection('devices', [{ name: 'by_os', fields: [{ path: 'os.build', direction: 'asc' }] }]);
      const indexes = await admin.db(database).collection('devices').listIndexes().toArray();
      expect(indexes.find((i) => i.name === 'by_os')?.key).to.deep.equal({ 'd.os.build': 1, _id: 1 });
    });

    it('does not list the checkpoints collection', async () => {
      await store.commit([{ collection: 'devices', writes: [], checkpoint: checkpoint(1) }]);
      expect(await store.listCollections()).to.deep.equal(['devices']);
    });
  });
});

describe('MongoDB read-model store: connecting', () => {
  it('says where it could not connect, without the password, within its deadline', async () => {
    const started = Date.now();
    const error = await openMongoDocumentStore('mongodb://reader:hunter2@127.0.0.1:1/x', undefined, { deadlineMs: 1_000 }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.include('MongoDB at mongodb://reader:***@127.0.0.1:1/x is not reachable');
    expect(error?.message).not.to.include('hunter2');
    expect(Date.now() - started).to.be.below(3_000);
  });

  it('refuses a malformed connection string without echoing its password', async () => {
    const error = await openMongoDocumentStore('mongodb://reader:hunter2@/x?unknownOption=1').then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).to.match(/connection string .* is not valid/);
    expect(error?.message).not.to.include('hunter2');
  });
});
