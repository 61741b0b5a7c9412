import { expect } from 'chai';
import type { DocumentQuery, DocumentStore } from '../../application/ports/document-store.js';
import { ReadModels } from '../../application/read-models/read-models.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';

const put = (id: string, n: number, position: number) => ({ op: 'put' as const, id, doc: { n }, position });

describe('ReadModels.all', () => {
  let store: DocumentStore;
  beforeEach(async () => {
    store = openSqliteDocumentStore(':memory:');
    await store.ensureCollection('things_v1_old', []);
    await store.commit([{ collection: 'things_v1_old', writes: [put('a', 1, 1), put('b', 2, 1), put('c', 3, 1)], checkpoint: { name: 'things', collection: 'things_v1_old', position: 1, updatedAt: '2026-01-01T00:00:00Z', expected: undefined } }]);
    await store.ensureCollection('things_v1_new', []);
    await store.commit([{ collection: 'things_v1_new', writes: [put('a', 10, 2), put('b', 20, 2)], checkpoint: { name: 'things.rebuild', collection: 'things_v1_new', position: 2, updatedAt: '2026-01-01T00:00:00Z', expected: undefined } }]);
  });
  afterEach(() => store.close());

  it('reads every page of the live collection', async () => {
    expect((await new ReadModels(store).all<{ n: number }>('things', undefined, 1)).map((d) => d.n)).to.deep.equal([1, 2, 3]);
  });

  it('starts over on the new collection when a rebuild switches and drops the old one mid-read', async () => {
    let switched = false;
    const switching: DocumentStore = Object.create(store) as DocumentStore;
    switching.find = async (collection: string, query: DocumentQuery) => {
      const page = await store.find(collection, query);
      if (!switched) {
        switched = true;
        await store.commit([{ collection: 'things_v1_new', writes: [], checkpoint: { name: 'things', collection: 'things_v1_new', position: 2, updatedAt: '2026-01-01T00:00:01Z', expected: { collection: 'things_v1_old', position: 1 } } }]);
        await store.dropCollection('things_v1_old');
      }
      return page as never;
    };
    // Without starting over, the first page of the old collection and nothing more would come back.
    expect((await new ReadModels(switching).all<{ n: number }>('things', undefined, 1)).map((d) => d.n)).to.deep.equal([10, 20]);
  });
});
