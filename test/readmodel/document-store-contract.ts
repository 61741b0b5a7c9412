import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  CheckpointConflictError,
  InvalidQueryError,
  type CollectionBatch,
  type DocumentQuery,
  type DocumentStore,
  type DocumentWrite,
  type Filter,
  type IndexDeclaration,
  type ProjectionFailure,
  type SortKey,
} from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';

/**
 * The one suite every DocumentStore adapter passes. Every test works in collections and
 * checkpoints of its own, named afresh, so the suite can run again and again against one server.
 */
export function documentStoreContract(label: string, open: () => Promise<DocumentStore>, dispose?: (store: DocumentStore) => Promise<void>): void {
  describe(`DocumentStore contract: ${label}`, function () {
    let store: DocumentStore;
    const run = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    let counter = 0;
    let collections: string[] = [];
    let checkpoints: string[] = [];
    const freshCollection = (): string => {
      const name = `${run}-${++counter}`;
      collections.push(name);
      return name;
    };
    const freshCheckpoint = (): string => {
      const name = `${run}-cp-${++counter}`;
      checkpoints.push(name);
      return name;
    };

    before(async () => {
      store = await open();
    });
    afterEach(async () => {
      for (const c of collections) await store.dropCollection(c);
      for (const c of checkpoints) await store.deleteCheckpoint(c);
      collections = [];
      checkpoints = [];
    });
    after(async () => {
      if (dispose) await dispose(store);
      else await store.close();
    });

    const put = (id: string, doc: JsonObject, position: number): DocumentWrite => ({ op: 'put', id, doc, position });
    const batch = (collection: string, checkpoint: string, writes: DocumentWrite[], position: number, expected: CollectionBatch['checkpoint']['expected']): CollectionBatch => ({
      collection,
      writes,
      checkpoint: { name: checkpoint, collection, position, updatedAt: `2026-11-01T00:00:${String(position % 60).padStart(2, '0')}.000Z`, expected },
    });

    /** A new collection holding `docs` (positions 1..n in key order), committed under a new checkpoint. */
    async function seed(docs: Record<string, JsonObject>, indexes: readonly IndexDeclaration[] = []): Promise<{ collection: string; checkpoint: string; position: number }> {
      const collection = freshCollection();
      const checkpoint = freshCheckpoint();
      await store.ensureCollection(collection, indexes);
      const writes = Object.entries(docs).map(([id, doc], i) => put(id, doc, i + 1));
      await store.commit([batch(collection, checkpoint, writes, writes.length, undefined)]);
      return { collection, checkpoint, position: writes.length };
    }

    const ids = async (collection: string, query: Omit<DocumentQuery, 'limit'> & { limit?: number }): Promise<string[]> =>
      (await store.find(collection, { limit: 1000, ...query })).items.map((d) => d.id);
    const matching = async (collection: string, filter: Filter): Promise<string[]> => (await ids(collection, { filter })).sort();

    async function walk(collection: string, query: DocumentQuery, between?: (page: number) => Promise<void>): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const result = await store.find(collection, { ...query, ...(cursor ? { cursor } : {}) });
        expect(result.items.length).to.be.at.most(query.limit);
        seen.push(...result.items.map((d) => d.id));
        if (!result.nextCursor) return seen;
        expect(result.items.length).to.equal(query.limit);
        cursor = result.nextCursor;
        if (between) await between(page);
      }
      throw new Error('pagination did not end');
    }

    describe('filters', () => {
      const docs: Record<string, JsonObject> = {
        a: { s: 'x', n: 1, b: true, nested: { v: 'p', deep: { w: 1 } }, t: '2026-01-02T00:00:00.000Z' },
        b: { s: 'y', n: 2.5, b: false, nested: { v: 'q' }, t: '2025-12-31T23:59:59.000Z' },
        c: { s: 'x', n: 10, nested: { deep: { w: 2 } } },
        d: { n: '5', b: 1 },
        e: { s: 7, b: 0, n: -3 },
        f: {},
      };
      let collection: string;
      beforeEach(async () => {
        ({ collection } = await seed(docs));
      });

      it('equality compares scalars of the same type; booleans match only booleans', async () => {
        expect(await matching(collection, { s: 'x' })).to.deep.equal(['a', 'c']);
        expect(await matching(collection, { s: 7 })).to.deep.equal(['e']);
        expect(await matching(collection, { n: 5 })).to.deep.equal([]);
        expect(await matching(collection, { n: '5' })).to.deep.equal(['d']);
        expect(await matching(collection, { n: 2.5 })).to.deep.equal(['b']);
        expect(await matching(collection, { b: true })).to.deep.equal(['a']);
        expect(await matching(collection, { b: false })).to.deep.equal(['b']);
        expect(await matching(collection, { b: 1 })).to.deep.equal(['d']);
        expect(await matching(collection, { b: 0 })).to.deep.equal(['e']);
        expect(await matching(collection, { s: { $eq: 'x' } })).to.deep.equal(['a', 'c']);
        expect(await matching(collection, { b: { $eq: true } })).to.deep.equal(['a']);
      });

      it('null matches a missing field', async () => {
        expect(await matching(collection, { s: null })).to.deep.equal(['d', 'f']);
        expect(await matching(collection, { s: { $eq: null } })).to.deep.equal(['d', 'f']);
        expect(await matching(collection, { 'nested.v': null })).to.deep.equal(['c', 'd', 'e', 'f']);
      });

      it('nested paths address fields inside sub-documents', async () => {
        expect(await matching(collection, { 'nested.v': 'p' })).to.deep.equal(['a']);
        expect(await matching(collection, { 'nested.deep.w': { $gte: 1 } })).to.deep.equal(['a', 'c']);
        expect(await matching(collection, { 'nested.deep.w': 2 })).to.deep.equal(['c']);
        expect(await matching(collection, { 'missing.deeper.x': null })).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f']);
      });

      it('$ne and $nin also match a missing field', async () => {
        expect(await matching(collection, { s: { $ne: 'x' } })).to.deep.equal(['b', 'd', 'e', 'f']);
        expect(await matching(collection, { b: { $ne: true } })).to.deep.equal(['b', 'c', 'd', 'e', 'f']);
        expect(await matching(collection, { s: { $ne: null } })).to.deep.equal(['a', 'b', 'c', 'e']);
        expect(await matching(collection, { s: { $nin: ['x', 7] } })).to.deep.equal(['b', 'd', 'f']);
        expect(await matching(collection, { s: { $nin: ['x', null] } })).to.deep.equal(['b', 'e']);
        expect(await matching(collection, { b: { $nin: [true, 1] } })).to.deep.equal(['b', 'c', 'e', 'f']);
        expect(await matching(collection, { s: { $nin: [] } })).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f']);
      });

      it('$in matches any listed scalar of the same type, null for missing', async () => {
        expect(await matching(collection, { s: { $in: ['x', 7] } })).to.deep.equal(['a', 'c', 'e']);
        expect(await matching(collection, { s: { $in: [null, 'y'] } })).to.deep.equal(['b', 'd', 'f']);
        expect(await matching(collection, { s: { $in: ['7'] } })).to.deep.equal([]);
        expect(await matching(collection, { b: { $in: [true] } })).to.deep.equal(['a']);
        expect(await matching(collection, { b: { $in: [1, false] } })).to.deep.equal(['b', 'd']);
        expect(await matching(collection, { s: { $in: [] } })).to.deep.equal([]);
      });

      it('range operators compare numbers with numbers and strings with strings only', async () => {
        expect(await matching(collection, { n: { $gt: 1 } })).to.deep.equal(['b', 'c']);
        expect(await matching(collection, { n: { $gte: 1, $lte: 2.5 } })).to.deep.equal(['a', 'b']);
        expect(await matching(collection, { n: { $lt: 100 } })).to.deep.equal(['a', 'b', 'c', 'e']);
        expect(await matching(collection, { n: { $lt: 0 } })).to.deep.equal(['e']);
        expect(await matching(collection, { n: { $gte: '' } })).to.deep.equal(['d']);
        expect(await matching(collection, { n: { $lt: 'zzz' } })).to.deep.equal(['d']);
        expect(await matching(collection, { b: { $gte: 0 } })).to.deep.equal(['d', 'e']);
        expect(await matching(collection, { s: { $gt: 'a' } })).to.deep.equal(['a', 'b', 'c']);
        expect(await matching(collection, { s: { $gt: 0 } })).to.deep.equal(['e']);
        expect(await matching(collection, { t: { $gte: '2026-01-01T00:00:00.000Z' } })).to.deep.equal(['a']);
        expect(await matching(collection, { t: { $lt: '2026-01-01T00:00:00.000Z' } })).to.deep.equal(['b']);
        expect(await matching(collection, { s: { $gt: 'a', $ne: 'y' } })).to.deep.equal(['a', 'c']);
      });

      it('$exists tests presence', async () => {
        expect(await matching(collection, { s: { $exists: true } })).to.deep.equal(['a', 'b', 'c', 'e']);
        expect(await matching(collection, { s: { $exists: false } })).to.deep.equal(['d', 'f']);
        expect(await matching(collection, { 'nested.v': { $exists: true } })).to.deep.equal(['a', 'b']);
        expect(await matching(collection, { b: { $exists: true } })).to.deep.equal(['a', 'b', 'd', 'e']);
      });

      it('$contains matches string fields holding the text, literally and case-sensitively', async () => {
        expect(await matching(collection, { s: { $contains: 'x' } })).to.deep.equal(['a', 'c']);
        expect(await matching(collection, { 't': { $contains: '-01-02T' } })).to.deep.equal(['a']);
        expect(await matching(collection, { 't': { $contains: '.*' } })).to.deep.equal([]);
        expect(await matching(collection, { s: { $contains: 'X' } })).to.deep.equal([]);
        // Never a number, boolean or missing field.
        expect(await matching(collection, { n: { $contains: '5' } })).to.deep.equal(['d']);
        expect(await matching(collection, { b: { $contains: 't' } })).to.deep.equal([]);
      });

      it('several keys are and-ed; $and and $or take lists of filters and nest', async () => {
        expect(await matching(collection, { s: 'x', b: true })).to.deep.equal(['a']);
        expect(await matching(collection, { $and: [{ s: 'x' }, { n: { $gt: 1 } }] })).to.deep.equal(['c']);
        expect(await matching(collection, { $or: [{ s: 'y' }, { n: 10 }] })).to.deep.equal(['b', 'c']);
        expect(await matching(collection, { $or: [{ $and: [{ s: 'x' }, { b: true }] }, { 'nested.v': 'q' }] })).to.deep.equal(['a', 'b']);
        expect(await matching(collection, { s: 'x', $or: [{ b: true }, { b: { $exists: false } }] })).to.deep.equal(['a', 'c']);
        expect(await matching(collection, { $and: [{ $or: [{ s: 'x' }, { s: 'y' }] }, { $or: [{ n: 1 }, { n: 2.5 }] }] })).to.deep.equal(['a', 'b']);
      });

      it('count and countBy apply the filter; countBy keys missing values as null and keeps types apart', async () => {
        expect(await store.count(collection)).to.equal(6);
        expect(await store.count(collection, { s: 'x' })).to.equal(2);
        expect(await store.count(collection, { s: { $ne: 'x' } })).to.equal(4);
        expect(await store.countBy(collection, 's')).to.deep.equal(new Map<unknown, number>([['x', 2], ['y', 1], [7, 1], [null, 2]]));
        expect(await store.countBy(collection, 'b')).to.deep.equal(new Map<unknown, number>([[true, 1], [false, 1], [1, 1], [0, 1], [null, 2]]));
        expect(await store.countBy(collection, 'nested.v', { s: 'x' })).to.deep.equal(new Map<unknown, number>([['p', 1], [null, 1]]));
        expect(await store.countBy(collection, 's', { s: 'nobody' })).to.deep.equal(new Map());
      });
    });

    describe('reads', () => {
      it('get and getMany return the stored document and position; missing ids are absent', async () => {
        const { collection } = await seed({ a: { v: 1, nested: { x: 'y' } }, b: { v: 2 }, c: { v: 3 } });
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { v: 1, nested: { x: 'y' } }, position: 1 });
        expect(await store.get(collection, 'zz')).to.equal(undefined);
        const many = await store.getMany(collection, ['c', 'a', 'zz']);
        expect([...many.keys()].sort()).to.deep.equal(['a', 'c']);
        expect(many.get('c')).to.deep.equal({ id: 'c', doc: { v: 3 }, position: 3 });
        expect((await store.getMany(collection, [])).size).to.equal(0);
      });

      it('a collection that does not exist reads as empty', async () => {
        const collection = freshCollection();
        expect(await store.get(collection, 'a')).to.equal(undefined);
        expect((await store.getMany(collection, ['a'])).size).to.equal(0);
        expect(await store.find(collection, { limit: 10 })).to.deep.equal({ items: [] });
        expect(await store.count(collection)).to.equal(0);
        expect((await store.countBy(collection, 'a')).size).to.equal(0);
      });

      it('fields returns only the chosen paths, nested shape kept, and the id', async () => {
        const { collection } = await seed({
          a: { s: 'x', n: 1, nested: { v: 'p', w: 'q', deep: { z: [1, 2], k: { m: true } } }, other: 'o' },
          b: { s: 'y', other: 'o' },
        });
        const page = await store.find(collection, { limit: 10, fields: ['s', 'nested.v', 'nested.deep.z', 'nested.deep.k'], sort: [{ path: 's', direction: 'asc' }] });
        expect(page.items).to.deep.equal([
          { id: 'a', position: 1, doc: { s: 'x', nested: { v: 'p', deep: { z: [1, 2], k: { m: true } } } } },
          { id: 'b', position: 2, doc: { s: 'y' } },
        ]);
      });

      it('ping answers', async () => {
        await store.ping();
      });
    });

    describe('sort and pages', () => {
      const keyed = (n: number): Record<string, JsonObject> => {
        const docs: Record<string, JsonObject> = {};
        for (let i = 0; i < n; i++) {
          const doc: Record<string, JsonObject[string]> = { g: ['red', 'green', 'blue'][i % 3]!, i };
          // Every fifth document has no k; the others share a handful of values (ties on k).
          if (i % 5 !== 0) doc.k = (i * 7) % 11;
          if (i % 4 === 0) doc.t = `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`;
          docs[`d${String(i).padStart(3, '0')}`] = doc;
        }
        return docs;
      };
      /** The order the port defines, computed here: missing first ascending, last descending; id breaks ties. */
      const ordered = (docs: Record<string, JsonObject>, sort: readonly SortKey[]): string[] =>
        Object.keys(docs).sort((x, y) => {
          for (const key of sort) {
            const a = docs[x]![key.path] as number | string | undefined;
            const b = docs[y]![key.path] as number | string | undefined;
            if (a === b) continue;
            const cmp = a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1;
            return key.direction === 'asc' ? cmp : -cmp;
          }
          return x < y ? -1 : 1;
        });

      it('sorts ascending with missing values first and descending with them last, id breaking ties', async () => {
        const docs = keyed(30);
        const { collection } = await seed(docs);
        for (const direction of ['asc', 'desc'] as const) {
          const sort = [{ path: 'k', direction }];
          const got = await ids(collection, { sort });
          expect(got).to.deep.equal(ordered(docs, sort));
          const missing = Object.keys(docs).filter((id) => docs[id]!.k === undefined);
          if (direction === 'asc') expect(got.slice(0, missing.length)).to.deep.equal(missing);
          else expect(got.slice(-missing.length)).to.deep.equal(missing);
        }
        expect(await ids(collection, {})).to.deep.equal(Object.keys(docs).sort());
      });

      it('sorts by several keys in order', async () => {
        const docs = keyed(30);
        const { collection } = await seed(docs);
        for (const sort of [
          [{ path: 'g', direction: 'asc' }, { path: 'k', direction: 'desc' }],
          [{ path: 'g', direction: 'desc' }, { path: 'k', direction: 'asc' }, { path: 'i', direction: 'desc' }],
          [{ path: 't', direction: 'desc' }, { path: 'k', direction: 'asc' }],
        ] as SortKey[][]) {
          expect(await ids(collection, { sort })).to.deep.equal(ordered(docs, sort));
        }
      });

      it('walks every page once, in order, with no duplicates or gaps, for every sort shape', async () => {
        const docs = keyed(57);
        const { collection } = await seed(docs, [{ name: 'byK', fields: [{ path: 'k', direction: 'asc' }] }]);
        for (const sort of [
          [],
          [{ path: 'k', direction: 'asc' }],
          [{ path: 'k', direction: 'desc' }],
          [{ path: 't', direction: 'asc' }],
          [{ path: 'g', direction: 'desc' }, { path: 'k', direction: 'asc' }],
          [{ path: 'k', direction: 'desc' }, { path: 't', direction: 'desc' }],
        ] as SortKey[][]) {
          for (const limit of [1, 5, 56, 57]) {
            expect(await walk(collection, { sort, limit }), `${JSON.stringify(sort)} by ${limit}`).to.deep.equal(ordered(docs, sort));
          }
        }
        const filtered = await walk(collection, { filter: { g: { $ne: 'red' } }, sort: [{ path: 'k', direction: 'desc' }], limit: 4 });
        const expected = ordered(docs, [{ path: 'k', direction: 'desc' }]).filter((id) => docs[id]!.g !== 'red');
        expect(filtered).to.deep.equal(expected);
      });

      it('keeps walking correctly while documents are inserted between pages', async () => {
        const docs = keyed(40);
        const { collection, checkpoint, position } = await seed(docs);
        const sort: SortKey[] = [{ path: 'k', direction: 'asc' }];
        let at = position;
        const added: Record<string, JsonObject> = {};
        const seen = await walk(collection, { sort, limit: 6 }, async (page) => {
          // One before everything (missing k, smallest id), one in the middle, one after everything.
          const more: Record<string, JsonObject> = { [`a${page}`]: { g: 'new' }, [`m${page}`]: { k: 5, g: 'new' }, [`z${page}`]: { k: 99, g: 'new' } };
          Object.assign(added, more);
          const writes = Object.entries(more).map(([id, doc]) => put(id, doc, ++at));
          await store.commit([batch(collection, checkpoint, writes, at, { collection, position: at - writes.length })]);
        });
        expect(new Set(seen).size, 'no duplicates').to.equal(seen.length);
        for (const id of Object.keys(docs)) expect(seen, `original ${id} seen`).to.include(id);
        const finalOrder = ordered({ ...docs, ...added }, sort);
        const positions = seen.map((id) => finalOrder.indexOf(id));
        expect(positions, 'in order').to.deep.equal([...positions].sort((a, b) => a - b));
        for (const id of Object.keys(added).filter((k) => k.startsWith('z'))) expect(seen, `later ${id} seen`).to.include(id);
        for (const id of Object.keys(added).filter((k) => k.startsWith('a'))) expect(seen, `earlier ${id} not seen`).to.not.include(id);
      });
    });

    describe('collections', () => {
      it('ensureCollection is idempotent with indexes and keeps the documents', async () => {
        const indexes: IndexDeclaration[] = [
          { name: 'byState', fields: [{ path: 'state', direction: 'asc' }, { path: 'seen', direction: 'desc' }] },
          { name: 'byNested', fields: [{ path: 'a.b', direction: 'asc' }] },
        ];
        const { collection } = await seed({ x: { state: 's', seen: '2026', a: { b: 1 } } }, indexes);
        await store.ensureCollection(collection, indexes);
        await store.ensureCollection(collection, [{ name: 'byState', fields: [{ path: 'state', direction: 'asc' }] }]);
        await store.ensureCollection(collection, []);
        expect(await store.get(collection, 'x')).to.deep.equal({ id: 'x', doc: { state: 's', seen: '2026', a: { b: 1 } }, position: 1 });
        expect(await ids(collection, { filter: { state: 's' }, sort: [{ path: 'seen', direction: 'desc' }] })).to.deep.equal(['x']);
      });

      it('lists and drops collections', async () => {
        const one = freshCollection();
        const two = freshCollection();
        await store.ensureCollection(one, []);
        await store.ensureCollection(two, [{ name: 'byA', fields: [{ path: 'a', direction: 'asc' }] }]);
        const checkpoint = freshCheckpoint();
        await store.commit([batch(one, checkpoint, [put('a', { a: 1 }, 1)], 1, undefined)]);
        expect(await store.listCollections()).to.include.members([one, two]);
        await store.dropCollection(one);
        expect(await store.listCollections()).to.include(two).and.not.include(one);
        expect(await store.get(one, 'a')).to.equal(undefined);
        expect(await store.count(one)).to.equal(0);
        await store.dropCollection(one);
        await store.ensureCollection(one, []);
        expect(await store.count(one)).to.equal(0);
      });
    });

    describe('commit', () => {
      it('moves the checkpoint with the documents, across collections', async () => {
        const one = freshCollection();
        const two = freshCollection();
        const cpOne = freshCheckpoint();
        const cpTwo = freshCheckpoint();
        await store.ensureCollection(one, []);
        await store.ensureCollection(two, []);
        await store.commit([
          batch(one, cpOne, [put('a', { v: 1 }, 3)], 4, undefined),
          batch(two, cpTwo, [put('a', { v: 2 }, 4)], 4, undefined),
        ]);
        expect(await store.readCheckpoint(cpOne)).to.deep.equal({ name: cpOne, collection: one, position: 4, updatedAt: '2026-11-01T00:00:04.000Z' });
        expect((await store.get(two, 'a'))?.doc).to.deep.equal({ v: 2 });
        await store.commit([batch(one, cpOne, [], 9, { collection: one, position: 4 })]);
        expect((await store.readCheckpoint(cpOne))?.position).to.equal(9);
        const listed = (await store.listCheckpoints()).filter((c) => c.name === cpOne || c.name === cpTwo);
        expect(listed.map((c) => [c.name, c.collection, c.position]).sort()).to.deep.equal([[cpOne, one, 9], [cpTwo, two, 4]].sort());
      });

      it('a put replaces the whole document and a delete removes it', async () => {
        const { collection, checkpoint, position } = await seed({ a: { x: 1, y: 2 }, b: { x: 1 } });
        await store.commit([batch(collection, checkpoint, [put('a', { y: 3 }, 5), { op: 'delete', id: 'b', position: 5 }], 5, { collection, position })]);
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { y: 3 }, position: 5 });
        expect(await store.get(collection, 'b')).to.equal(undefined);
        expect(await store.count(collection, { x: 1 })).to.equal(0);
      });

      it('a conflicting checkpoint rejects the whole commit and leaves everything unchanged', async () => {
        const { collection, checkpoint, position } = await seed({ a: { v: 1 } });
        const other = freshCollection();
        const otherCp = freshCheckpoint();
        await store.ensureCollection(other, []);
        const stale = [
          batch(other, otherCp, [put('o', { v: 1 }, 1)], 1, undefined),
          batch(collection, checkpoint, [put('a', { v: 2 }, 7), put('n', { v: 1 }, 7)], 7, { collection, position: position - 1 }),
        ];
        const error = await store.commit(stale).then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(CheckpointConflictError);
        const conflict = error as CheckpointConflictError;
        expect(conflict.checkpoint).to.equal(checkpoint);
        expect(conflict.expected).to.deep.equal({ collection, position: position - 1 });
        expect(conflict.actual).to.deep.equal({ collection, position });
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { v: 1 }, position: 1 });
        expect(await store.get(collection, 'n')).to.equal(undefined);
        expect(await store.get(other, 'o')).to.equal(undefined);
        expect(await store.readCheckpoint(otherCp)).to.equal(undefined);
        expect((await store.readCheckpoint(checkpoint))?.position).to.equal(position);
        const none = await store.commit([batch(collection, checkpoint, [], 8, undefined)]).then(() => undefined, (e: unknown) => e);
        expect(none).to.be.instanceOf(CheckpointConflictError);
        const elsewhere = await store.commit([batch(collection, checkpoint, [], 8, { collection: other, position })]).then(() => undefined, (e: unknown) => e);
        expect(elsewhere).to.be.instanceOf(CheckpointConflictError);
      });

      it('the same batch committed twice: the second is rejected and the documents stay as after the first', async () => {
        const { collection, checkpoint, position } = await seed({ a: { v: 1 }, b: { v: 1 } });
        const again = batch(collection, checkpoint, [put('a', { v: 2 }, 10), { op: 'delete', id: 'b', position: 10 }, put('c', { v: 3 }, 10)], 10, { collection, position });
        await store.commit([again]);
        await store.commit([again]).then(
          () => expect.fail('the replayed commit was accepted'),
          (e: unknown) => expect(e).to.be.instanceOf(CheckpointConflictError),
        );
        expect((await ids(collection, {})).sort()).to.deep.equal(['a', 'c']);
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { v: 2 }, position: 10 });
        expect((await store.readCheckpoint(checkpoint))?.position).to.equal(10);
      });

      it('a write no newer than the stored document is ignored', async () => {
        const { collection, checkpoint } = await seed({ a: { v: 1 }, b: { v: 1 } });
        let at = 2;
        const commit = async (writes: DocumentWrite[]) => {
          await store.commit([batch(collection, checkpoint, writes, at + 1, { collection, position: at })]);
          at += 1;
        };
        await commit([put('a', { v: 10 }, 10), put('b', { v: 10 }, 10)]);
        await commit([put('a', { v: 5 }, 5), put('b', { v: 'same' }, 10)]);
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { v: 10 }, position: 10 });
        expect(await store.get(collection, 'b')).to.deep.equal({ id: 'b', doc: { v: 10 }, position: 10 });
        await commit([{ op: 'delete', id: 'a', position: 9 }, { op: 'delete', id: 'b', position: 10 }]);
        expect(await store.count(collection)).to.equal(2);
        await commit([put('a', { v: 11 }, 11), { op: 'delete', id: 'b', position: 11 }]);
        expect(await store.get(collection, 'a')).to.deep.equal({ id: 'a', doc: { v: 11 }, position: 11 });
        expect(await store.get(collection, 'b')).to.equal(undefined);
      });

      it('moves a checkpoint to a new collection (a rebuild switching over)', async () => {
        const { collection, checkpoint, position } = await seed({ a: { v: 1 } });
        const rebuilt = freshCollection();
        await store.ensureCollection(rebuilt, []);
        await store.commit([{ ...batch(rebuilt, checkpoint, [put('a', { v: 2 }, 50)], 50, { collection, position }) }]);
        expect(await store.readCheckpoint(checkpoint)).to.include({ collection: rebuilt, position: 50 });
        expect((await store.get(collection, 'a'))?.doc).to.deep.equal({ v: 1 });
      });
    });

    describe('checkpoints', () => {
      const failure: ProjectionFailure = { position: 3, eventType: 'DeviceSeen', streamId: 'device-1', message: 'boom', failedAt: '2026-11-01T00:00:00.000Z' };

      it('records a failure until the checkpoint moves again, and deletes checkpoints', async () => {
        const { collection, checkpoint, position } = await seed({ a: { v: 1 } });
        await store.recordFailure(checkpoint, failure);
        expect(await store.readCheckpoint(checkpoint)).to.deep.equal({ name: checkpoint, collection, position, updatedAt: '2026-11-01T00:00:01.000Z', failure });
        expect((await store.listCheckpoints()).find((c) => c.name === checkpoint)?.failure).to.deep.equal(failure);
        await store.commit([batch(collection, checkpoint, [], position + 1, { collection, position })]);
        const moved = await store.readCheckpoint(checkpoint);
        expect(moved?.position).to.equal(position + 1);
        expect(moved).to.not.have.property('failure');
        await store.deleteCheckpoint(checkpoint);
        expect(await store.readCheckpoint(checkpoint)).to.equal(undefined);
        expect((await store.listCheckpoints()).map((c) => c.name)).to.not.include(checkpoint);
        await store.deleteCheckpoint(checkpoint);
      });

      it('recording a failure needs a checkpoint', async () => {
        const checkpoint = freshCheckpoint();
        await store.recordFailure(checkpoint, failure).then(() => expect.fail('recorded without a checkpoint'), (e: unknown) => expect(e).to.be.instanceOf(Error));
        expect(await store.readCheckpoint(checkpoint)).to.equal(undefined);
      });
    });

    describe('invalid queries', () => {
      const refused = async (attempt: () => Promise<unknown>, message: RegExp): Promise<void> => {
        const error = await attempt().then(() => undefined, (e: unknown) => e);
        expect(error, String(message)).to.be.instanceOf(InvalidQueryError);
        expect((error as Error).message).to.match(message);
      };

      it('refuses bad paths, operators, limits and cursors before asking the database', async () => {
        // A collection that does not exist: a database read would answer "nothing", not an error.
        const c = freshCollection();
        await refused(() => store.find(c, { limit: 10, filter: { 'a.$b': 1 } }), /segment/);
        await refused(() => store.find(c, { limit: 10, filter: { a: { $regex: 'x' } } as Filter }), /unknown operator "\$regex"/);
        await refused(() => store.find(c, { limit: 10, filter: { $where: '1' } as Filter }), /unknown operator "\$where"/);
        await refused(() => store.find(c, { limit: 10, filter: { a: { $in: [{}] } } as unknown as Filter }), /\$in\[0\]/);
        await refused(() => store.find(c, { limit: 0 }), /limit/);
        await refused(() => store.find(c, { limit: 1001 }), /limit/);
        await refused(() => store.find(c, { limit: 10, sort: [{ path: 'a b', direction: 'asc' }] }), /sort\[0\].path/);
        await refused(() => store.find(c, { limit: 10, fields: ['a', 'a.b'] }), /collides/);
        await refused(() => store.find(c, { limit: 10, cursor: 'garbage!' }), /cursor/);
        await refused(() => store.find(c, { limit: 10, cursor: Buffer.from('{"x":1}').toString('base64url') }), /cursor/);
        await refused(() => store.count(c, { a: { $gt: true } } as unknown as Filter), /\$gt/);
        await refused(() => store.countBy(c, 'a..b'), /segment/);
        await refused(() => store.get('Bad Name', 'a'), /collection name/);
        await refused(() => store.ensureCollection('x"; DROP', []), /collection name/);
        await refused(() => store.ensureCollection(c, [{ name: 'ok', fields: [{ path: "a') --", direction: 'asc' }] }]), /path/);
        expect(await store.listCollections()).to.not.include(c);
      });

      it('refuses a cursor from a query with another number of sort keys', async () => {
        const { collection } = await seed({ a: { k: 1 }, b: { k: 2 }, c: { k: 3 } });
        const first = await store.find(collection, { limit: 1, sort: [{ path: 'k', direction: 'asc' }] });
        expect(first.nextCursor).to.be.a('string');
        await refused(() => store.find(collection, { limit: 1, cursor: first.nextCursor! }), /sort key/);
      });
    });
  });
}
