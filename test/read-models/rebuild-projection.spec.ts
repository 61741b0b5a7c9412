import { expect } from 'chai';
import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import { InventoryQueries } from '../../application/read-models/inventory-queries.js';
import { ReadModels } from '../../application/read-models/read-models.js';
import { ProjectionRebuildError, rebuildProjection } from '../../application/read-models/rebuild-projection.js';
import { rebuildCheckpointName } from '../../application/read-models/collection-names.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { inventoryProjection } from '../../projections/inventory.js';
import type { Projection } from '../../projections/projection.js';
import { eventually } from '../support/eventually.js';
import { appendDevices, collectionContents, expectEqualsFold, fixedClock, recordingLogger, referenceFold, allEvents, Stores } from './read-model-fixture.js';

const clock = fixedClock('2026-03-01T00:00:00Z');
const inventoryV2 = { ...inventoryProjection, version: 2 } as Projection<object>;

describe('rebuilding a read model', function () {
  this.timeout(90_000);
  let stores: Stores;
  beforeEach(async () => {
    stores = new Stores();
    await writeSyntheticFleet(stores.events, { devices: 30, eventsPerDevice: 80 });
  });
  afterEach(() => stores.close());

  it('while the runner follows live appends: switches to the new collection, drops the old, loses nothing', async () => {
    const runner = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 40 });
    await runner.start();
    expect(await runner.waitFor(await stores.head(), 20_000)).to.equal(true);
    const old = runner.status().find((s) => s.name === 'inventory')!.collection!;

    // The rebuild runs on its own connection, as `mdm projections rebuild` does beside a server.
    const cli = openSqliteDocumentStore(stores.documentsFile);
    try {
      const appending = appendDevices(stores.events, 30, 6, 60, { pauseMs: 1 });
      const progress: number[] = [];
      const result = await rebuildProjection({ events: stores.events, documents: cli, clock }, inventoryProjection as Projection<object>, { batchSize: 150, onProgress: (p) => progress.push(p.position) });
      const last = await appending;
      expect(result.previous).to.equal(old);
      expect(result.collection).to.match(/^inventory_v1_[a-z0-9]+$/).and.not.equal(old);
      expect(progress.length).to.be.greaterThan(5);
      expect(progress).to.deep.equal([...progress].sort((a, b) => a - b));
      expect(await runner.waitFor(last, 20_000)).to.equal(true);
      await eventually(() => expect(runner.status().find((s) => s.name === 'inventory')).to.deep.include({ state: 'running', collection: result.collection }));
      expect(await stores.documents.listCollections()).to.not.include(old);
      expect(await stores.documents.readCheckpoint(rebuildCheckpointName('inventory'))).to.equal(undefined);
      const folded = await expectEqualsFold(stores, inventoryProjection as Projection<object>);
      for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);

      // Queries read the collection the checkpoint names.
      const queries = new InventoryQueries(new ReadModels(stores.documents, runner), clock);
      const udid = syntheticUdid(33);
      expect(await queries.get(udid)).to.deep.equal(folded.get(udid)!.doc);
      expect((await queries.list({ limit: 1000 })).devices.length).to.equal(36);
    } finally {
      await cli.close();
    }
  });

  it('clears what an interrupted rebuild left, and refuses a projection that cannot apply an event (the live one untouched)', async () => {
    const runner = stores.runner(READ_MODEL_PROJECTIONS);
    await runner.start();
    expect(await runner.waitFor(await stores.head(), 20_000)).to.equal(true);
    await runner.stop();
    const live = (await stores.documents.readCheckpoint('inventory'))!;

    const aborted = new AbortController();
    let caught: unknown;
    await rebuildProjection({ events: stores.events, documents: stores.documents, clock }, inventoryProjection as Projection<object>, {
      batchSize: 100, signal: aborted.signal, onProgress: (p) => p.events >= 300 && aborted.abort(),
    }).catch((e: unknown) => (caught = e));
    expect(caught).to.be.instanceOf(ProjectionRebuildError);
    expect((await stores.documents.listCollections()).filter((c) => c.startsWith('inventory_'))).to.deep.equal([live.collection]);
    expect(await stores.documents.readCheckpoint(rebuildCheckpointName('inventory'))).to.equal(undefined);

    // A leftover of a rebuild that was killed: its collection and checkpoint.
    const leftover = 'inventory_v1_zzzzzzzz';
    await stores.documents.ensureCollection(leftover, []);
    await stores.documents.commit([{ collection: leftover, writes: [], checkpoint: { name: rebuildCheckpointName('inventory'), collection: leftover, position: 5, updatedAt: 'x', expected: undefined } }]);
    const broken = { ...inventoryProjection, apply: () => { throw new Error('bad'); } } as Projection<object>;
    let refused: unknown;
    await rebuildProjection({ events: stores.events, documents: stores.documents, clock }, broken).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(ProjectionRebuildError);
    expect((refused as Error).message).to.match(/^inventory cannot apply event \w+ at position 1 \(device-[^)]+\): bad$/);
    expect((await stores.documents.listCollections()).filter((c) => c.startsWith('inventory_'))).to.deep.equal([live.collection]);
    expect(await stores.documents.readCheckpoint('inventory')).to.deep.equal(live);

    const result = await rebuildProjection({ events: stores.events, documents: stores.documents, clock }, inventoryProjection as Projection<object>);
    expect(await collectionContents(stores.documents, result.collection)).to.deep.equal(referenceFold(inventoryProjection as Projection<object>, await allEvents(stores.events)));
  });

  it('on an empty store: an empty collection at position 0', async () => {
    const empty = new Stores();
    try {
      const result = await rebuildProjection({ events: empty.events, documents: empty.documents, clock }, inventoryProjection as Projection<object>);
      expect(result).to.deep.include({ events: 0, position: 0 });
      expect(await empty.documents.readCheckpoint('inventory')).to.deep.include({ collection: result.collection, position: 0 });
    } finally {
      await empty.close();
    }
  });

  it('a new projection version is rebuilt in the background; the old collection serves until the switch', async () => {
    const v1 = stores.runner(READ_MODEL_PROJECTIONS);
    await v1.start();
    expect(await v1.waitFor(await stores.head(), 20_000)).to.equal(true);
    await v1.stop();
    const old = (await stores.documents.readCheckpoint('inventory'))!.collection;

    const seen: ProjectionStatus['state'][] = [];
    const logger = recordingLogger();
    const v2 = stores.runner(READ_MODEL_PROJECTIONS.map((p) => (p.name === 'inventory' ? inventoryV2 : p)), { watchMs: 20, logger });
    await v2.start();
    const inventoryStatus = () => v2.status().find((s) => s.name === 'inventory')!;
    seen.push(inventoryStatus().state);
    expect(inventoryStatus()).to.deep.include({ state: 'rebuilding', version: 2, collection: old });
    await eventually(() => {
      const state = inventoryStatus().state;
      if (seen.at(-1) !== state) seen.push(state);
      expect(state).to.equal('running');
    }, 30_000);
    expect(seen).to.deep.equal(['rebuilding', 'running']);
    expect(inventoryStatus().collection).to.match(/^inventory_v2_[a-z0-9]+$/);
    expect(logger.entries.filter((e) => e.level === 'error')).to.deep.equal([]);
    expect(await stores.documents.listCollections()).to.not.include(old);
    // And it follows live again, in the new collection.
    const next = await appendDevices(stores.events, 30, 2, 20);
    expect(await v2.waitFor(next, 10_000)).to.equal(true);
    await expectEqualsFold(stores, inventoryV2);
  });

  it('stop() during a background rebuild waits for it to stop and leaves the old version serving', async () => {
    const v1 = stores.runner([inventoryProjection] as Projection<object>[]);
    await v1.start();
    expect(await v1.waitFor(await stores.head(), 20_000)).to.equal(true);
    await v1.stop();
    const live = (await stores.documents.readCheckpoint('inventory'))!;
    const logger = recordingLogger();
    const v2 = stores.runner([inventoryV2], { logger });
    await v2.start();
    expect(v2.status()[0]!.state).to.equal('rebuilding');
    await v2.stop();
    // Nothing of the rebuild is left to write into stores about to close.
    expect(await stores.documents.readCheckpoint('inventory')).to.deep.equal(live);
    expect(await stores.documents.readCheckpoint(rebuildCheckpointName('inventory'))).to.equal(undefined);
    expect((await stores.documents.listCollections()).filter((c) => c.startsWith('inventory_'))).to.deep.equal([live.collection]);
    expect(logger.entries.filter((e) => e.level === 'error')).to.deep.equal([]);
  });
});
