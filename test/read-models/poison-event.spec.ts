import { expect } from 'chai';
import { INVENTORY } from '../../application/read-models/inventory-queries.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { rebuildProjection } from '../../application/read-models/rebuild-projection.js';
import { writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import type { Projection } from '../../projections/projection.js';
import { eventually } from '../support/eventually.js';
import { allEvents, appendDevices, expectEqualsFold, fixedClock, recordingLogger, Stores } from './read-model-fixture.js';

interface StreamTally {
  readonly streamId: string;
  readonly events: number;
  readonly types: Record<string, number>;
}

/** Counts each device stream's events by type; with `poisonAt`, throws on the event at that position. */
function tally(poisonAt?: number): Projection<StreamTally> {
  return {
    name: 'stream-tally',
    version: 1,
    handles: new Set(),
    allEvents: true,
    documentId: (event) => event.streamId,
    apply(current, event: RecordedEvent) {
      if (event.position === poisonAt) throw new Error(`cannot tally ${event.type}`);
      return { streamId: event.streamId, events: (current?.events ?? 0) + 1, types: { ...current?.types, [event.type]: (current?.types[event.type] ?? 0) + 1 } };
    },
  };
}

describe('a projection that throws on an event', function () {
  this.timeout(60_000);
  let stores: Stores;
  beforeEach(() => (stores = new Stores()));
  afterEach(() => stores.close());

  it('stops there with the failure recorded; the others reach the head; a rebuild with the fix resumes it', async () => {
    await writeSyntheticFleet(stores.events, { devices: 20, eventsPerDevice: 60 });
    const events = await allEvents(stores.events);
    const head = events.at(-1)!.position;
    const poison = events[Math.floor(events.length / 2)]!;
    const failures: Array<[string, unknown]> = [];
    const logger = recordingLogger();
    const runner = stores.runner([...READ_MODEL_PROJECTIONS, tally(poison.position)] as Projection<object>[], {
      batchSize: 100, logger, watchMs: 25, clock: fixedClock('2026-03-02T10:00:00.000Z'), onFailure: (name, failure) => failures.push([name, failure]),
    });
    await runner.start();
    expect(await runner.waitFor(head, 20_000), 'the projections still running reach the head').to.equal(true);
    // Read-your-writes per read model: a query of the stopped one is never told it is fresh.
    expect(await runner.waitFor(head, 50, ['stream-tally']), 'the stopped projection').to.equal(false);
    expect(await runner.waitFor(head, 50, [INVENTORY]), 'a running one').to.equal(true);

    const failure = { position: poison.position, eventType: poison.type, streamId: poison.streamId, message: `cannot tally ${poison.type}`, failedAt: '2026-03-02T10:00:00.000Z' };
    const status = runner.status().find((s) => s.name === 'stream-tally')!;
    expect(status).to.deep.include({ state: 'failed', position: events[events.indexOf(poison) - 1]!.position, failure });
    expect(failures).to.deep.equal([['stream-tally', failure]]);
    expect(logger.entries.filter((e) => e.level === 'error').map((e) => e.message)).to.deep.equal(['projection stopped on an event it cannot apply']);
    const stored = await stores.documents.readCheckpoint('stream-tally');
    expect(stored).to.deep.include({ position: status.position, failure });
    // Everything before the poison event is applied, nothing from it on.
    const before = await stores.documents.get<StreamTally & Record<string, never>>(stored!.collection, poison.streamId);
    const expectedBefore = events.filter((e) => e.streamId === poison.streamId && e.position < poison.position).length;
    expect(before?.doc.events ?? 0).to.equal(expectedBefore);
    for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);
    for (const s of runner.status().filter((x) => x.name !== 'stream-tally')) expect(s, s.name).to.deep.include({ state: 'running', position: head });

    // A restart does not retry it: the failure stands until a rebuild.
    await runner.stop();
    const again = stores.runner([tally(poison.position)] as Projection<object>[], { watchMs: 25 });
    await again.start();
    expect(again.status()[0]).to.deep.include({ state: 'failed', failure });
    await again.stop();

    // Fixed and rebuilt (the CLI's way: another connection, while the runner runs), it resumes.
    const resumed = stores.runner([...READ_MODEL_PROJECTIONS, tally(poison.position)] as Projection<object>[], { batchSize: 100, watchMs: 25 });
    await resumed.start();
    const result = await rebuildProjection({ events: stores.events, documents: stores.documents, clock: fixedClock('2026-03-02T11:00:00Z') }, tally() as Projection<object>);
    expect(result.previous).to.equal(stored!.collection);
    const cleared = await stores.documents.readCheckpoint('stream-tally');
    expect(cleared).to.deep.include({ collection: result.collection, position: head });
    expect(cleared!.failure).to.equal(undefined);
    await eventually(() => expect(resumed.status().find((s) => s.name === 'stream-tally')).to.deep.include({ state: 'running', collection: result.collection }));
    expect(resumed.status().find((s) => s.name === 'stream-tally')!.failure).to.equal(undefined);
    // Applies what comes next, as the others do.
    const next = await appendDevices(stores.events, 20, 2, 30);
    expect(await resumed.waitFor(next, 10_000)).to.equal(true);
    await expectEqualsFold(stores, tally() as Projection<object>);
    expect(await stores.documents.listCollections()).to.not.include(stored!.collection);
  });

  it('a documentId that throws stops the projection the same way, before anything of that event', async () => {
    await writeSyntheticFleet(stores.events, { devices: 4, eventsPerDevice: 30 });
    const events = await allEvents(stores.events);
    const poison = events[17]!;
    const picky: Projection<StreamTally> = { ...tally(), name: 'picky', documentId: (e) => { if (e.position === poison.position) throw new TypeError('no id'); return e.streamId; } };
    const runner = stores.runner([picky] as Projection<object>[], { batchSize: 10 });
    await runner.start();
    await eventually(() => expect(runner.status()[0]!.state).to.equal('failed'));
    expect(runner.status()[0]).to.deep.include({ position: events[16]!.position });
    expect(runner.status()[0]!.failure).to.deep.include({ position: poison.position, message: 'no id', eventType: poison.type });
    expect((await stores.documents.readCheckpoint('picky'))!.failure).to.deep.include({ position: poison.position });
  });
});
