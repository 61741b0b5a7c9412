import { expect } from 'chai';
import { MongoClient, MongoServerError, type Document } from 'mongodb';
import { CheckpointConflictError, InvalidQueryError, type Scalar, type SortKey } from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { sortValue } from '../../infrastructure/readmodel/cursor.js';
import { bulkOperations, onlyAlreadyApplied } from '../../infrastructure/readmodel/mongo/bulk-operations.js';
import { checkpointUpdate, failureUpdate, firstCheckpoint, placeOf, samePlace, toCheckpoint } from '../../infrastructure/readmodel/mongo/checkpoint-ops.js';
import { connectionFailureMessage, databaseNameOf, invalidConnectionStringMessage, withoutPassword } from '../../infrastructure/readmodel/mongo/connection-text.js';
import { conflictingIndexes, indexSpecs } from '../../infrastructure/readmodel/mongo/index-specs.js';
import { MongoDocumentStore } from '../../infrastructure/readmodel/mongo/mongo-document-store.js';
import { translateFilter } from '../../infrastructure/readmodel/mongo/translate-filter.js';
import { afterPageEnd, countByPipeline, pickFields, readFilter, toCounts, translateProjection, translateSort } from '../../infrastructure/readmodel/mongo/translate-query.js';
import { validateCheckpointMove, validateWrites } from '../../infrastructure/readmodel/mongo/write-validation.js';
import { bulkWriteErrorFor } from '../support/mongo-bulk-error.js';

const LIVE = { _deleted: { $exists: false } };

describe('MongoDB read-model translation', () => {
  describe('filters', () => {
    it('puts every path under the record\'s document field, nested paths included', () => {
      expect(translateFilter({ model: 'iPhone', 'security.passcodePresent': true, 'os.build.major': 17 })).to.deep.equal({
        'd.model': 'iPhone', 'd.security.passcodePresent': true, 'd.os.build.major': 17,
      });
    });

    it('keeps equality on null (MongoDB matches a missing field with it)', () => {
      expect(translateFilter({ lastSeenAt: null })).to.deep.equal({ 'd.lastSeenAt': null });
    });

    it('maps each field operator onto itself', () => {
      expect(translateFilter({
        a: { $eq: 'x' }, b: { $ne: null }, c: { $in: ['x', 1, true, null] }, d: { $nin: [2] },
        e: { $gt: 1 }, f: { $gte: '2024-01-01T00:00:00Z' }, g: { $lt: 3.5 }, h: { $lte: 'm' }, i: { $exists: false },
      })).to.deep.equal({
        'd.a': { $eq: 'x' }, 'd.b': { $ne: null }, 'd.c': { $in: ['x', 1, true, null] }, 'd.d': { $nin: [2] },
        'd.e': { $gt: 1 }, 'd.f': { $gte: '2024-01-01T00:00:00Z' }, 'd.g': { $lt: 3.5 }, 'd.h': { $lte: 'm' }, 'd.i': { $exists: false },
      });
    });

    it('turns $contains into a regular expression that matches the text literally', () => {
      expect(translateFilter({ groupsKey: { $contains: ',a.b(c)*,' } })).to.deep.equal({ 'd.groupsKey': { $regex: ',a\\.b\\(c\\)\\*,' } });
      expect(new RegExp(',a\\.b\\(c\\)\\*,').test(',x,a.b(c)*,y,')).to.equal(true);
    });

    it('keeps several operators on one field together (a range)', () => {
      expect(translateFilter({ battery: { $gte: 0.2, $lt: 0.5 } })).to.deep.equal({ 'd.battery': { $gte: 0.2, $lt: 0.5 } });
    });

    it('translates $and and $or lists recursively', () => {
      expect(translateFilter({
        state: 'enrolled',
        $or: [{ 'os.version': { $lt: '17' } }, { $and: [{ supervised: false }, { 'security.passcodePresent': { $ne: true } }] }],
      })).to.deep.equal({
        'd.state': 'enrolled',
        $or: [{ 'd.os.version': { $lt: '17' } }, { $and: [{ 'd.supervised': false }, { 'd.security.passcodePresent': { $ne: true } }] }],
      });
    });

    it('copies $in lists rather than sharing the caller\'s array', () => {
      const list = ['a'];
      const out = translateFilter({ x: { $in: list } });
      list.push('b');
      expect(out).to.deep.equal({ 'd.x': { $in: ['a'] } });
    });

    it('refuses an operator outside the language', () => {
      expect(() => translateFilter({ $where: 'true' } as never)).to.throw(InvalidQueryError);
      expect(() => translateFilter({ a: { $regex: '.*' } } as never)).to.throw(InvalidQueryError);
    });

    it('reads only live records (no tombstones), and-ing a page end after the filter', () => {
      expect(readFilter(undefined)).to.deep.equal(LIVE);
      expect(readFilter({ a: 1 })).to.deep.equal({ ...LIVE, 'd.a': 1 });
      expect(readFilter({ $or: [{ a: 1 }, { b: 2 }] }, { _id: { $gt: 'k' } })).to.deep.equal({
        $and: [{ ...LIVE, $or: [{ 'd.a': 1 }, { 'd.b': 2 }] }, { _id: { $gt: 'k' } }],
      });
    });
  });

  describe('sort and keyset cursor', () => {
    it('sorts on the declared keys, then the id ascending', () => {
      expect(translateSort([])).to.deep.equal({ _id: 1 });
      const sort = translateSort([{ path: 'os.version', direction: 'desc' }, { path: 'name', direction: 'asc' }]);
      expect(Object.entries(sort)).to.deep.equal([['d.os.version', -1], ['d.name', 1], ['_id', 1]]);
    });

    it('continues after the id alone when there is no sort', () => {
      expect(afterPageEnd([], { values: [], id: 'dev-9' })).to.deep.equal({ _id: { $gt: 'dev-9' } });
    });

    it('ascending past a value: greater values, or the same value and a greater id', () => {
      expect(afterPageEnd([{ path: 'n', direction: 'asc' }], { values: [5], id: 'k' })).to.deep.equal({
        $or: [{ 'd.n': { $gt: 5 } }, { 'd.n': 5, _id: { $gt: 'k' } }],
      });
    });

    it('ascending past a missing value: every present value, or missing and a greater id', () => {
      expect(afterPageEnd([{ path: 'n', direction: 'asc' }], { values: [null], id: 'k' })).to.deep.equal({
        $or: [{ 'd.n': { $ne: null } }, { 'd.n': null, _id: { $gt: 'k' } }],
      });
    });

    it('descending past a value: smaller values and the missing ones, or the same value and a greater id', () => {
      expect(afterPageEnd([{ path: 'n', direction: 'desc' }], { values: ['m'], id: 'k' })).to.deep.equal({
        $or: [{ $or: [{ 'd.n': { $lt: 'm' } }, { 'd.n': null }] }, { 'd.n': 'm', _id: { $gt: 'k' } }],
      });
    });

    it('descending past a missing value: only missing ones with a greater id (missing sorts last)', () => {
      expect(afterPageEnd([{ path: 'n', direction: 'desc' }], { values: [null], id: 'k' })).to.deep.equal({ 'd.n': null, _id: { $gt: 'k' } });
    });

    it('holds the earlier keys equal while a later key moves on', () => {
      expect(afterPageEnd([{ path: 'a', direction: 'asc' }, { path: 'b.c', direction: 'desc' }], { values: ['x', 3], id: 'k' })).to.deep.equal({
        $or: [
          { 'd.a': { $gt: 'x' } },
          { 'd.a': 'x', $or: [{ 'd.b.c': { $lt: 3 } }, { 'd.b.c': null }] },
          { 'd.a': 'x', 'd.b.c': 3, _id: { $gt: 'k' } },
        ],
      });
    });

    it('refuses a page end that does not fit the sort', () => {
      expect(() => afterPageEnd([{ path: 'a', direction: 'asc' }], { values: [], id: 'k' })).to.throw(RangeError);
    });

    // The translated filters evaluated under MongoDB's rules (missing equals null and sorts lowest,
    // ranges only compare within one type), over documents with gaps, ties and both types of sort
    // keys: walking page by page must visit every document exactly once, in sort order.
    for (const sort of [
      [{ path: 'n', direction: 'asc' }],
      [{ path: 'n', direction: 'desc' }],
      [{ path: 's', direction: 'asc' }, { path: 'n', direction: 'desc' }],
      [{ path: 's', direction: 'desc' }, { path: 'n', direction: 'asc' }],
      [{ path: 'n', direction: 'desc' }, { path: 's', direction: 'desc' }],
    ] as SortKey[][]) {
      it(`pages through missing values and ties without gaps or repeats (${sort.map((k) => `${k.path} ${k.direction}`).join(', ')})`, () => {
        const docs = sample();
        const ordered = [...docs].sort((x, y) => compareBy(sort, x, y));
        for (const pageSize of [1, 2, 3]) {
          const seen: string[] = [];
          let after: Document | undefined;
          for (;;) {
            const filter = readFilter({ kind: { $ne: 'skip' } }, after);
            const page = docs.filter((r) => matches(r, filter)).sort((x, y) => compareBy(sort, x, y)).slice(0, pageSize);
            if (page.length === 0) break;
            seen.push(...page.map((r) => r._id));
            const last = page[page.length - 1]!;
            after = afterPageEnd(sort, { values: sort.map((k) => sortValue(last.d, k.path)), id: last._id });
          }
          expect(seen).to.deep.equal(ordered.filter((r) => r.d.kind !== 'skip').map((r) => r._id));
        }
      });
    }
  });

  describe('projection', () => {
    it('fetches the requested and the sort fields, keeping only the outermost of nested paths', () => {
      const projection = translateProjection(['os.version', 'name', 'os'], [{ path: 'lastSeenAt', direction: 'desc' }, { path: 'name', direction: 'asc' }]);
      expect(projection).to.deep.equal({ _id: 1, _position: 1, 'd.lastSeenAt': 1, 'd.name': 1, 'd.os': 1 });
    });

    it('gives back the requested paths nested as in the document, leaving missing ones out', () => {
      const doc: JsonObject = { name: 'A', os: { version: '17.1', build: '21B' }, hardware: { model: 'X' }, lastSeenAt: 't' };
      expect(pickFields(doc, ['os.version', 'hardware.model', 'hardware.serial', 'missing.deep', 'name'])).to.deep.equal({
        os: { version: '17.1' }, hardware: { model: 'X' }, name: 'A',
      });
    });

    it('does not step through scalars or arrays', () => {
      expect(pickFields({ a: 'text', b: [{ c: 1 }] }, ['a.x', 'b.c', 'b'])).to.deep.equal({ b: [{ c: 1 }] });
    });
  });

  describe('counting by value', () => {
    it('groups live matching records by the value at the path', () => {
      expect(countByPipeline('os.version', { state: 'enrolled' })).to.deep.equal([
        { $match: { ...LIVE, 'd.state': 'enrolled' } },
        { $group: { _id: '$d.os.version', count: { $sum: 1 } } },
      ]);
    });

    it('reads the groups into a map, missing values under null', () => {
      const counts = toCounts([{ _id: '17.1', count: 3 }, { _id: null, count: 2 }, { _id: 4, count: 1 }, { _id: false, count: 5 }]);
      expect([...counts.entries()]).to.deep.equal([['17.1', 3], [null, 2], [4, 1], [false, 5]]);
    });
  });

  describe('bulk writes', () => {
    it('turns a put into an upsert guarded by the stored position', () => {
      expect(bulkOperations([{ op: 'put', id: 'dev-1', doc: { name: 'A', os: { version: '17' } }, position: 42 }])).to.deep.equal([
        { replaceOne: { filter: { _id: 'dev-1', _position: { $lt: 42 } }, replacement: { _position: 42, d: { name: 'A', os: { version: '17' } } }, upsert: true } },
      ]);
    });

    it('turns a delete into a guarded tombstone that keeps its position', () => {
      expect(bulkOperations([{ op: 'delete', id: 'dev-2', position: 7 }])).to.deep.equal([
        { replaceOne: { filter: { _id: 'dev-2', _position: { $lt: 7 } }, replacement: { _position: 7, _deleted: true }, upsert: true } },
      ]);
    });

    it('stores positions as numbers, never as text', () => {
      const [op] = bulkOperations([{ op: 'put', id: 'x', doc: {}, position: 2 ** 40 }]) as unknown as [{ replaceOne: { replacement: { _position: unknown } } }];
      expect(op.replaceOne.replacement._position).to.equal(2 ** 40);
    });

    const ops = bulkOperations([
      { op: 'put', id: 'a', doc: {}, position: 5 },
      { op: 'put', id: 'b', doc: {}, position: 5 },
      { op: 'delete', id: 'c', position: 5 },
    ]);
    const duplicate = (index: number) => ({ index, code: 11000, errmsg: 'E11000 duplicate key error collection: mdm.inventory index: _id_ dup key' });

    it('takes duplicate keys on guarded upserts as already applied', () => {
      const error = bulkWriteErrorFor(ops, { ok: 1, n: 1, nModified: 0, upserted: [{ index: 1, _id: 'b' }], writeErrors: [duplicate(0), duplicate(2)] });
      expect(onlyAlreadyApplied(error)).to.equal(true);
    });

    it('lets any other write error through, even beside duplicate keys', () => {
      const error = bulkWriteErrorFor(ops, { ok: 1, n: 1, nModified: 1, writeErrors: [duplicate(0), { index: 2, code: 10334, errmsg: 'BSONObj size: 17000000 is invalid' }] });
      expect(onlyAlreadyApplied(error)).to.equal(false);
    });

    it('lets a write concern error through even when the write errors are all duplicate keys', () => {
      const error = bulkWriteErrorFor(ops, { ok: 1, n: 2, nModified: 2, writeErrors: [duplicate(1)], writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' } });
      expect(onlyAlreadyApplied(error)).to.equal(false);
    });

    it('lets errors that are not bulk write errors through', () => {
      expect(onlyAlreadyApplied(new MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).to.equal(false);
      expect(onlyAlreadyApplied(new Error('connection reset'))).to.equal(false);
    });

    it('refuses a batch with two writes for one id, a bad position or a bad document', () => {
      expect(() => validateWrites([{ op: 'put', id: 'a', doc: {}, position: 1 }, { op: 'delete', id: 'a', position: 2 }])).to.throw(InvalidQueryError, /second write/);
      expect(() => validateWrites([{ op: 'put', id: 'a', doc: {}, position: 1.5 }])).to.throw(InvalidQueryError, /position/);
      expect(() => validateWrites([{ op: 'put', id: 'a', doc: {}, position: -1 }])).to.throw(InvalidQueryError, /position/);
      expect(() => validateWrites([{ op: 'put', id: 'a', doc: [] as never, position: 1 }])).to.throw(InvalidQueryError, /doc/);
      expect(() => validateWrites([{ op: 'put', id: '', doc: {}, position: 1 }])).to.throw(InvalidQueryError, /id/);
      expect(() => validateWrites([{ op: 'upsert', id: 'a', position: 1 } as never])).to.throw(InvalidQueryError, /op/);
      expect(() => validateWrites([{ op: 'put', id: 'a', doc: {}, position: 1 }, { op: 'delete', id: 'b', position: 0 }])).not.to.throw();
    });
  });

  describe('indexes', () => {
    it('declares each index on the document paths in its directions, ending with the id', () => {
      const specs = indexSpecs([
        { name: 'by_state_seen', fields: [{ path: 'state', direction: 'asc' }, { path: 'lastSeenAt', direction: 'desc' }] },
        { name: 'by_os', fields: [{ path: 'os.version', direction: 'desc' }] },
      ]);
      expect(specs).to.deep.equal([
        { name: 'by_state_seen', key: { 'd.state': 1, 'd.lastSeenAt': -1, _id: 1 } },
        { name: 'by_os', key: { 'd.os.version': -1, _id: 1 } },
      ]);
      expect(Object.keys(specs[0]!.key)).to.deep.equal(['d.state', 'd.lastSeenAt', '_id']);
    });

    it('finds the existing indexes a redeclaration conflicts with, and only those', () => {
      const wanted = indexSpecs([{ name: 'by_state', fields: [{ path: 'state', direction: 'desc' }] }, { name: 'by_os', fields: [{ path: 'os', direction: 'asc' }] }]);
      expect(conflictingIndexes([
        { name: '_id_', key: { _id: 1 } },
        { name: 'by_state', key: { 'd.state': 1, _id: 1 } },
        { name: 'os_old_name', key: { 'd.os': 1, _id: 1 } },
        { name: 'by_model', key: { 'd.model': 1, _id: 1 } },
      ], wanted)).to.deep.equal(['by_state', 'os_old_name']);
      expect(conflictingIndexes([{ name: 'by_state', key: { 'd.state': -1, _id: 1 } }, { name: 'by_os', key: { 'd.os': 1, _id: 1 } }], wanted)).to.deep.equal([]);
    });
  });

  describe('checkpoints', () => {
    const move = { name: 'inventory', collection: 'inventory_v2', position: 120, updatedAt: '2025-01-01T00:00:00.000Z' };

    it('creates a first checkpoint as a document keyed by the projection name', () => {
      expect(firstCheckpoint({ ...move, expected: undefined })).to.deep.equal({ _id: 'inventory', collection: 'inventory_v2', position: 120, updatedAt: '2025-01-01T00:00:00.000Z' });
    });

    it('moves an existing one only from the expected place, clearing a recorded failure', () => {
      expect(checkpointUpdate({ ...move, expected: { collection: 'inventory_v2', position: 100 } })).to.deep.equal({
        filter: { _id: 'inventory', collection: 'inventory_v2', position: 100 },
        update: { $set: { collection: 'inventory_v2', position: 120, updatedAt: '2025-01-01T00:00:00.000Z' }, $unset: { failure: '' } },
      });
    });

    it('records a failure beside the checkpoint', () => {
      const failure = { position: 121, eventType: 'DeviceReported', streamId: 'device-1', message: 'bad', failedAt: '2025-01-01T00:00:01.000Z' };
      expect(failureUpdate(failure)).to.deep.equal({ $set: { failure } });
    });

    it('reads a stored checkpoint back with and without a failure', () => {
      const record = { _id: 'inventory', collection: 'inventory_v2', position: 120, updatedAt: 't' };
      expect(toCheckpoint(record)).to.deep.equal({ name: 'inventory', collection: 'inventory_v2', position: 120, updatedAt: 't' });
      const failure = { position: 121, eventType: 'E', streamId: 's', message: 'm', failedAt: 'f' };
      expect(toCheckpoint({ ...record, failure })).to.deep.equal({ name: 'inventory', collection: 'inventory_v2', position: 120, updatedAt: 't', failure });
    });

    it('refuses a checkpoint move without a name, with a bad collection or a bad position', () => {
      const move = { name: 'inventory', collection: 'inventory_v2', position: 3, updatedAt: 't', expected: undefined };
      expect(() => validateCheckpointMove(move)).not.to.throw();
      expect(() => validateCheckpointMove({ ...move, name: '' })).to.throw(InvalidQueryError, /checkpoint name/);
      expect(() => validateCheckpointMove({ ...move, collection: '_checkpoints' })).to.throw(InvalidQueryError, /collection name/);
      expect(() => validateCheckpointMove({ ...move, position: Number.POSITIVE_INFINITY })).to.throw(InvalidQueryError, /position/);
    });

    it('compares places by collection and position, none only equal to none', () => {
      expect(samePlace(undefined, undefined)).to.equal(true);
      expect(samePlace(undefined, { collection: 'a', position: 1 })).to.equal(false);
      expect(samePlace({ collection: 'a', position: 1 }, undefined)).to.equal(false);
      expect(samePlace({ collection: 'a', position: 1 }, { collection: 'a', position: 1 })).to.equal(true);
      expect(samePlace({ collection: 'a', position: 1 }, { collection: 'b', position: 1 })).to.equal(false);
      expect(samePlace({ collection: 'a', position: 1 }, { collection: 'a', position: 2 })).to.equal(false);
      expect(placeOf(null)).to.equal(undefined);
      expect(placeOf({ _id: 'n', collection: 'c', position: 3, updatedAt: 't' })).to.deep.equal({ collection: 'c', position: 3 });
    });
  });

  describe('connection strings', () => {
    const url = 'mongodb://reader:s%40cret!@db1.example:27017,db2.example:27017/mdm_prod?replicaSet=rs0';

    it('never repeats the password, raw or decoded, in a failure message', () => {
      const message = connectionFailureMessage(url, new Error('auth failed for reader:s%40cret! (s@cret!)'));
      expect(message).not.to.include('s%40cret!');
      expect(message).not.to.include('s@cret!');
      expect(message).to.include('db1.example:27017').and.to.include('auth failed');
      expect(invalidConnectionStringMessage(url, new Error('bad s@cret!'))).not.to.include('cret');
      expect(withoutPassword('mongodb://host/db', 'nothing to hide')).to.equal('nothing to hide');
    });

    it('finds the database named in the path', () => {
      expect(databaseNameOf(url)).to.equal('mdm_prod');
      expect(databaseNameOf('mongodb+srv://cluster.example/reads')).to.equal('reads');
      expect(databaseNameOf('mongodb://localhost:27017')).to.equal(undefined);
      expect(databaseNameOf('mongodb://localhost:27017/?tls=true')).to.equal(undefined);
    });
  });

  describe('adapter over a client that cannot connect', () => {
    let client: MongoClient;
    let store: MongoDocumentStore;
    let opened: number;

    beforeEach(() => {
      client = new MongoClient('mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 300 });
      opened = 0;
      client.on('topologyOpening', () => { opened += 1; });
      store = new MongoDocumentStore(client, 'unused');
    });
    afterEach(() => client.close());

    it('refuses bad queries with InvalidQueryError before any connection is attempted', async () => {
      const refusals: Promise<unknown>[] = [
        store.find('inventory', { limit: 10, filter: { a: { $regex: 'x' } } } as never),
        store.find('inventory', { limit: 0 }),
        store.find('inventory', { limit: 10, cursor: 'not a cursor!' }),
        store.find('inventory', { limit: 10, sort: [{ path: 'a', direction: 'asc' }], cursor: Buffer.from(JSON.stringify([[], 'k'])).toString('base64url') }),
        store.find('Bad Name', { limit: 10 }),
        store.count('inventory', { 'a..b': 1 }),
        store.countBy('inventory', '$where'),
        store.get('inventory', ''),
        store.getMany('inventory', ['ok', 3 as never]),
        store.ensureCollection('inventory', [{ name: 'by x', fields: [{ path: 'x', direction: 'asc' }] }]),
        store.dropCollection('system.users'),
        store.commit([{ collection: 'inventory', writes: [{ op: 'put', id: 'a', doc: {}, position: Number.NaN }], checkpoint: { name: 'inventory', collection: 'inventory', position: 1, updatedAt: 't', expected: undefined } }]),
      ];
      for (const refusal of refusals) {
        const error = await refusal.then(() => undefined, (e: unknown) => e);
        expect(error).to.be.instanceOf(InvalidQueryError);
      }
      expect(opened).to.equal(0);
    });

    it('does go to the network for a valid query (the probe above can see it)', async () => {
      const error = await store.count('inventory', { a: 1 }).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(Error).and.not.to.be.instanceOf(InvalidQueryError);
      expect(opened).to.equal(1);
    });

    it('names a checkpoint conflict with the expected and the found place', () => {
      const error = new CheckpointConflictError('inventory', { collection: 'inventory_v1', position: 3 }, undefined);
      expect(error.message).to.equal('checkpoint inventory moved: expected inventory_v1@3, found none');
    });
  });
});

interface SampleRecord {
  readonly _id: string;
  readonly d: JsonObject;
}

/** Documents with missing and tied sort values; `kind: skip` ones are filtered out. */
function sample(): SampleRecord[] {
  const values: [Scalar | undefined, Scalar | undefined][] = [
    [3, 'b'], [undefined, 'a'], [1, undefined], [3, 'a'], [undefined, undefined], [2, 'c'],
    [1, 'a'], [3, 'b'], [undefined, 'c'], [2, undefined], [1, 'c'], [3, undefined],
  ];
  return values.map(([n, s], i) => ({
    _id: `id-${String(11 - i).padStart(2, '0')}`,
    d: { ...(n === undefined ? {} : { n }), ...(s === undefined ? {} : { s }), ...(i % 5 === 4 ? { kind: 'skip' } : {}) },
  }));
}

/** MongoDB's order for one-type fields: missing (null) lowest, then numbers or strings. */
function compareValues(a: Scalar, b: Scalar): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function compareBy(sort: readonly SortKey[], x: SampleRecord, y: SampleRecord): number {
  for (const key of sort) {
    const c = compareValues(sortValue(x.d, key.path), sortValue(y.d, key.path));
    if (c !== 0) return key.direction === 'asc' ? c : -c;
  }
  return x._id < y._id ? -1 : x._id > y._id ? 1 : 0;
}

/** MongoDB's matching for the operators the translation emits, on scalar fields. */
function matches(record: SampleRecord & { _deleted?: true }, filter: Document): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Document[]).every((f) => matches(record, f));
    if (key === '$or') return (condition as Document[]).some((f) => matches(record, f));
    const value: Scalar | undefined = key === '_id' ? record._id : key === '_deleted' ? record._deleted : sortValue(record.d, key.slice(2));
    const v = value ?? null;
    if (condition === null || typeof condition !== 'object') return v === condition;
    return Object.entries(condition as Document).every(([op, operand]) => {
      const sameType = v !== null && typeof v === typeof operand;
      switch (op) {
        case '$exists': return (value !== undefined) === operand;
        case '$ne': return v !== operand;
        case '$gt': return sameType && (v as string | number) > operand;
        case '$lt': return sameType && (v as string | number) < operand;
        default: throw new Error(`operator ${op} not modelled`);
      }
    });
  });
}
