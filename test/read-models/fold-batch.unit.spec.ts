import { expect } from 'chai';
import { collectionVersion, isCollectionOf, newCollectionName, rebuildCheckpointName } from '../../application/read-models/collection-names.js';
import { DocumentCache } from '../../application/read-models/document-cache.js';
import { foldBatch } from '../../application/read-models/fold-batch.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { Projection } from '../../projections/projection.js';
import { Stores } from './read-model-fixture.js';

interface Counter {
  readonly n: number;
}

const event = (position: number, streamId: string, type = 'Tick'): RecordedEvent => ({
  streamId, revision: position, position, type, data: {}, eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  metadata: { prevHash: '0'.repeat(64), hash: '1'.repeat(64) }, recordedAt: '2026-01-01T00:00:00.000Z',
});

/** Counts Ticks per stream; a Reset deletes the document; Boom throws. */
const counter: Projection<Counter> = {
  name: 'counter',
  version: 1,
  handles: new Set(['Tick', 'Reset', 'Boom']),
  documentId: (e) => e.streamId,
  apply(current, e) {
    if (e.type === 'Boom') throw new Error('boom');
    if (e.type === 'Reset') return null;
    return { n: (current?.n ?? 0) + 1 };
  },
};

describe('foldBatch, DocumentCache and collection names', () => {
  let stores: Stores;
  const collection = 'counter_v1_test';
  beforeEach(async () => {
    stores = new Stores();
    await stores.documents.ensureCollection(collection, []);
  });
  afterEach(() => stores.close());

  it('folds a batch into one write per document; skips events a document already holds; unread types move the position', async () => {
    await stores.documents.commit([{ collection, writes: [{ op: 'put', id: 'a', doc: { n: 5 }, position: 3 }], checkpoint: { name: 'counter', collection, position: 3, updatedAt: 't', expected: undefined } }]);
    const cache = new DocumentCache(10);
    // 2 and 3 are replays `a` already reflects (a crash after the document write); 9 is not read.
    const folded = await foldBatch(counter as Projection<object>, collection, [event(2, 'a'), event(3, 'a'), event(4, 'a'), event(5, 'b'), event(6, 'a'), event(7, 'c'), event(8, 'c', 'Reset'), event(9, 'a', 'Other')], 1, stores.documents, cache);
    expect(folded.position).to.equal(9);
    expect(folded.applied).to.equal(5);
    expect(folded.poison).to.equal(undefined);
    expect(folded.writes.sort((x, y) => x.id.localeCompare(y.id))).to.deep.equal([
      { op: 'put', id: 'a', doc: { n: 7 }, position: 6 },
      { op: 'put', id: 'b', doc: { n: 1 }, position: 5 },
      { op: 'delete', id: 'c', position: 8 },
    ]);
    expect(cache.size, 'the cache is filled by the caller once committed').to.equal(0);
  });

  it('stops at a poison event: the writes before it, the position before it', async () => {
    const folded = await foldBatch(counter as Projection<object>, collection, [event(1, 'a'), event(2, 'b'), event(3, 'a', 'Boom'), event(4, 'a')], 0, stores.documents, new DocumentCache(10));
    expect(folded.position).to.equal(2);
    expect(folded.poison?.event.position).to.equal(3);
    expect(folded.poison?.error.message).to.equal('boom');
    expect(folded.writes.map((w) => [w.id, w.position])).to.deep.equal([['a', 1], ['b', 2]]);
  });

  it('reads documents from the cache first, and the store only for the rest', async () => {
    await stores.documents.commit([{ collection, writes: [{ op: 'put', id: 'a', doc: { n: 100 }, position: 1 }, { op: 'put', id: 'b', doc: { n: 200 }, position: 1 }], checkpoint: { name: 'counter', collection, position: 1, updatedAt: 't', expected: undefined } }]);
    const cache = new DocumentCache(10);
    cache.set('a', { doc: { n: 10 }, position: 1 });
    const folded = await foldBatch(counter as Projection<object>, collection, [event(2, 'a'), event(3, 'b')], 1, stores.documents, cache);
    expect(folded.writes.map((w) => (w.op === 'put' ? w.doc : undefined))).to.deep.equal([{ n: 11 }, { n: 201 }]);
  });

  it('DocumentCache drops the least recently used entry beyond its capacity; capacity 0 keeps nothing', () => {
    const cache = new DocumentCache(2);
    cache.set('a', { doc: {}, position: 1 });
    cache.set('b', { doc: {}, position: 2 });
    cache.get('a');
    cache.set('c', { doc: {}, position: 3 });
    expect([cache.get('a')?.position, cache.get('b'), cache.get('c')?.position]).to.deep.equal([1, undefined, 3]);
    cache.clear();
    expect(cache.size).to.equal(0);
    const none = new DocumentCache(0);
    none.set('a', { doc: {}, position: 1 });
    expect(none.get('a')).to.equal(undefined);
  });

  it('collection names carry the version and tell projections apart', () => {
    const name = newCollectionName('command-history', 3, new Date('2026-01-01T00:00:00Z'), 5);
    expect(name).to.match(/^command-history_v3_[a-z0-9]+$/);
    expect(collectionVersion('command-history', name)).to.equal(3);
    expect(collectionVersion('command', name)).to.equal(undefined);
    expect(collectionVersion('inventory', 'inventory_v12_abc')).to.equal(12);
    expect(isCollectionOf('inventory', 'inventory-extra_v1_abc')).to.equal(false);
    expect(newCollectionName('inventory', 1, new Date(0), 1)).to.not.equal(newCollectionName('inventory', 1, new Date(0), 2));
    expect(rebuildCheckpointName('inventory')).to.equal('inventory.rebuild');
  });
});
