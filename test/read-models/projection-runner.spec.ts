import { expect } from 'chai';
import type { EventHandler, EventStore, SubscribeOptions, Subscription } from '../../application/ports/event-store.js';
import { ProjectionRunner } from '../../application/read-models/projection-runner.js';
import { ReadModels } from '../../application/read-models/read-models.js';
import { InventoryQueries } from '../../application/read-models/inventory-queries.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { auditHistoryProjection } from '../../projections/audit-history.js';
import { commandRecordProjection } from '../../projections/command-record.js';
import { inventoryProjection } from '../../projections/inventory.js';
import { writeSyntheticFleet, syntheticUdid } from '../../bench/support/synthetic-fleet.js';
import { allEvents, appendDevices, continueDevices, expectEqualsFold, fixedClock, recordingLogger, Stores } from './read-model-fixture.js';

const DEVICES = 30;
const EVENTS_PER_DEVICE = 80;

describe('projection runner over SQLite stores', function () {
  this.timeout(60_000);
  let stores: Stores;
  let written: number;
  beforeEach(async () => {
    stores = new Stores();
    written = await writeSyntheticFleet(stores.events, { devices: DEVICES, eventsPerDevice: EVENTS_PER_DEVICE });
  });
  afterEach(() => stores.close());

  it('catches up to exactly the pure fold of every event, for every read model', async () => {
    const head = await stores.head();
    expect(written).to.be.greaterThan(DEVICES * EVENTS_PER_DEVICE - 1);
    const batches: number[] = [];
    const runner = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 97, onBatch: (events) => batches.push(events) });
    await runner.start();
    expect(await runner.waitFor(head, 20_000), 'caught up in time').to.equal(true);

    for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);
    const inventory = await expectEqualsFold(stores, inventoryProjection);
    expect(inventory.size).to.equal(DEVICES);
    const commands = await expectEqualsFold(stores, commandRecordProjection);
    expect(commands.size).to.be.greaterThan(DEVICES * 5);
    const audit = await stores.documents.readCheckpoint(auditHistoryProjection.name);
    expect(await stores.documents.count(audit!.collection), 'one audit entry per event').to.equal(written);

    // Batches of at most batchSize events, adding up to every event once.
    expect(Math.max(...batches)).to.be.at.most(97);
    expect(batches.reduce((a, b) => a + b, 0)).to.equal(written);
    for (const status of runner.status()) {
      expect(status, status.name).to.deep.include({ state: 'running', position: head, lagEvents: 0, lagSeconds: 0 });
      expect(status.collection, status.name).to.match(new RegExp(`^${status.name}_v1_[a-z0-9]+$`));
    }
    const last = (await allEvents(stores.events)).at(-1)!;
    expect(runner.status()[0]!.lastEventAt).to.equal(last.recordedAt);
  });

  it('follows appends made after it started; waitFor answers true once applied, false on a stopped runner', async () => {
    const runner = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 50 });
    await runner.start();
    expect(await runner.waitFor(await stores.head(), 20_000)).to.equal(true);

    const udid = syntheticUdid(DEVICES);
    const readModels = new ReadModels(stores.documents, runner);
    const inventory = new InventoryQueries(readModels, fixedClock('2026-03-01T00:00:00Z'));
    expect(await inventory.get(udid)).to.equal(undefined);
    const appended = await appendDevices(stores.events, DEVICES, 3, 40);
    expect(await runner.waitFor(appended, 10_000), 'the new events applied').to.equal(true);
    expect((await inventory.get(udid))?.udid).to.equal(udid);
    for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);

    // A query asking to see a write waits for it (the same wait, through ReadModels).
    const next = await appendDevices(stores.events, DEVICES + 3, 1, 10);
    const page = await inventory.list({ filter: { udid: syntheticUdid(DEVICES + 3) }, consistency: { atLeast: next, timeoutMs: 5_000 } });
    expect(page.stale).to.equal(undefined);
    expect(page.devices.map((d) => d.udid)).to.deep.equal([syntheticUdid(DEVICES + 3)]);

    await runner.stop();
    expect(runner.status().map((s) => s.state)).to.deep.equal(READ_MODEL_PROJECTIONS.map(() => 'stopped'));
    const future = await appendDevices(stores.events, DEVICES + 4, 1, 5);
    const started = Date.now();
    expect(await runner.waitFor(future, 300), 'a stopped runner never reaches a later position').to.equal(false);
    expect(Date.now() - started).to.be.within(250, 2_000);
    expect(await runner.waitFor(next, 300), 'what it applied before stopping it still reports').to.equal(true);
    const stale = await inventory.list({ consistency: { atLeast: future, timeoutMs: 200 } });
    expect(stale.stale).to.equal(true);
  });

  it('answers waitFor false before start, while no projection has applied anything', async () => {
    const runner = stores.runner(READ_MODEL_PROJECTIONS);
    expect(await runner.waitFor(1, 100)).to.equal(false);
  });

  it('resumes from its checkpoints after a restart: nothing applied twice, nothing missed', async () => {
    const first = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 64 });
    await first.start();
    expect(await first.waitFor(await stores.head(), 20_000)).to.equal(true);
    await first.stop();
    const before = await stores.documents.listCheckpoints();

    // Events for devices already known (their counters would be off if anything applied twice) and new ones.
    await continueDevices(stores.events, 0, 5, EVENTS_PER_DEVICE, EVENTS_PER_DEVICE + 40);
    const more = await appendDevices(stores.events, DEVICES, 4, 60);
    const applied: number[] = [];
    const second = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 64, onBatch: (n) => applied.push(n) });
    await second.start();
    expect(await second.waitFor(more, 20_000)).to.equal(true);
    // The second runner read only what came after the first one's checkpoints.
    const after = before[0]!.position;
    expect(applied.reduce((a, b) => a + b, 0)).to.equal((await stores.events.readAll({ after, maxCount: 100_000 })).length);
    // Same collections as before: resuming is not rebuilding.
    expect((await stores.documents.listCheckpoints()).map((c) => c.collection)).to.deep.equal(before.map((c) => c.collection));
    for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);
  });

  it('stop() during start() leaves no subscription behind and does not start following', async () => {
    const counting = new CountingEventStore(stores.events);
    const runner = new ProjectionRunner(counting, stores.documents, READ_MODEL_PROJECTIONS, { clock: fixedClock('2026-03-01T00:00:00Z'), logger: recordingLogger(), watchMs: 20 });
    const starting = runner.start();
    await runner.stop();
    await starting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(counting.open, 'subscriptions left open').to.equal(0);
    expect(runner.status().every((s) => s.state !== 'running'), JSON.stringify(runner.status())).to.equal(true);
  });
});

/** Counts subscriptions opened and not closed. */
class CountingEventStore implements EventStore {
  open = 0;
  constructor(private readonly inner: EventStore) {}
  append: EventStore['append'] = (...args) => this.inner.append(...args);
  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  ping: EventStore['ping'] = () => this.inner.ping();
  close: EventStore['close'] = () => this.inner.close();
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription {
    const inner = this.inner.subscribeToAll(handler, options);
    this.open++;
    let closed = false;
    return {
      get lastPosition() {
        return inner.lastPosition;
      },
      caughtUp: inner.caughtUp,
      close: async () => {
        if (!closed) {
          closed = true;
          this.open--;
        }
        await inner.close();
      },
    };
  }
}
