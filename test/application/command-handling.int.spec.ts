import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { handleCommand } from '../../application/command-handling.js';
import { eventIdFor, uuidV5 } from '../../application/deterministic-ids.js';
import { deviceDecider, deviceStreamId } from '../../domain/device/device.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { ConcurrencyError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../../application/ports/event-store.js';
import { tempDir } from '../support/temp-dir.js';
import { startEsdbStandin } from '../support/esdb-standin.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdb-event-store.js';
import { StateCache } from '../../application/state-cache.js';

const udid = 'UDID-0001';
const actor = { kind: 'device' as const, id: udid };
const at = '2026-11-01T10:00:00.000Z';
const authenticate = (certificateHash = 'aa'.repeat(32)) => ({ type: 'StartEnrollment' as const, udid, topic: 'com.apple.mgmt.External.x', certificateHash, facts: {}, at });

describe('uuidV5', () => {
  it('matches the RFC 9562 test vector and is deterministic', () => {
    // RFC 9562 appendix A.4: namespace DNS, name "www.example.com".
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).to.equal('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    const id = randomUUID();
    expect(eventIdFor(id, 0)).to.equal(eventIdFor(id, 0));
    expect(eventIdFor(id, 0)).to.not.equal(eventIdFor(id, 1));
  });
});

/** The same behaviour on every adapter: each leg opens a store and says how to dispose of it. */
const legs: Array<[string, () => Promise<{ store: EventStore; dispose(): Promise<void> }>]> = [
  ['SQLite', async () => {
    const dir = tempDir();
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    return { store, dispose: async () => { await store.close(); dir.remove(); } };
  }],
  ['EventStoreDB stand-in', async () => {
    const standin = await startEsdbStandin();
    const store = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    return { store, dispose: async () => { await store.close(); await standin.stop(); } };
  }],
];

for (const [legName, open] of legs) describe(`command handling (${legName})`, () => {
  let store: EventStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await open());
  });
  afterEach(async () => {
    await dispose();
  });

  it('appends the decided events with metadata from the envelope', async () => {
    const commandId = randomUUID();
    const result = await handleCommand(store, deviceDecider, deviceStreamId(udid), { commandId, command: authenticate(), actor, occurredAt: at, correlationId: 'corr-1' });
    expect(result.replayed).to.equal(false);
    expect(result.nextRevision).to.equal(0);
    const [e] = await store.readStream(deviceStreamId(udid));
    expect(e!.eventId).to.equal(eventIdFor(commandId, 0));
    expect(e!.type).to.equal('DeviceEnrollmentStarted');
    expect(e!.metadata).to.include({ correlationId: 'corr-1', causationId: commandId, occurredAt: at, version: 1 });
    expect(e!.metadata.actor).to.deep.equal(actor);
  });

  it('re-submitting a command appends nothing and returns the original outcome', async () => {
    const commandId = randomUUID();
    const envelope = { commandId, command: authenticate(), actor, occurredAt: at };
    const first = await handleCommand(store, deviceDecider, deviceStreamId(udid), envelope);
    // Another command in between, so the original is no longer the head.
    await handleCommand(store, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command: authenticate('bb'.repeat(32)), actor, occurredAt: at });
    const again = await handleCommand(store, deviceDecider, deviceStreamId(udid), envelope);
    expect(again.replayed).to.equal(true);
    expect(again.events).to.deep.equal(first.events);
    expect(again.position).to.equal(first.position);
    expect(again.nextRevision, 'the revision the original command left').to.equal(first.nextRevision);
    expect(await store.readStream(deviceStreamId(udid))).to.have.length(2);
  });

  it('with a state cache, reads only the events after the cached revision and still decides right', async () => {
    const cache = new StateCache<ReturnType<typeof deviceDecider.initialState>>();
    const reads: Array<number | undefined> = [];
    const counting: EventStore = Object.create(store) as EventStore;
    counting.readStream = (s, o) => {
      reads.push(o?.fromRevision);
      return store.readStream(s, o);
    };
    const stream = deviceStreamId(udid);
    await handleCommand(counting, deviceDecider, stream, { commandId: randomUUID(), command: authenticate(), actor, occurredAt: at }, { cache });
    // Another writer (no cache) moves the stream on; the cached state is now stale.
    await handleCommand(store, deviceDecider, stream, { commandId: randomUUID(), command: authenticate('bb'.repeat(32)), actor, occurredAt: at });
    const third = await handleCommand(counting, deviceDecider, stream, { commandId: randomUUID(), command: authenticate('cc'.repeat(32)), actor, occurredAt: at }, { cache });
    expect(reads).to.deep.equal([undefined, 1]);
    expect(third.nextRevision).to.equal(2);
    expect(third.state.certificateHash).to.equal('cc'.repeat(32));
    expect(third.state.enrollments).to.equal(3);
  });

  it('the same command racing with itself is appended once', async () => {
    const envelope = { commandId: randomUUID(), command: authenticate(), actor, occurredAt: at };
    const results = await Promise.all(Array.from({ length: 5 }, () => handleCommand(store, deviceDecider, deviceStreamId(udid), envelope)));
    expect(results.filter((r) => !r.replayed)).to.have.length(1);
    expect(await store.readStream(deviceStreamId(udid))).to.have.length(1);
  });

  it('retries on ConcurrencyError, re-deciding against the new history', async () => {
    let conflicts = 2;
    const flaky: EventStore = Object.create(store) as EventStore;
    const inner = store;
    flaky.append = async (s: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
      if (conflicts-- > 0) {
        // Someone else writes first, exactly as a concurrent request would.
        await inner.append(s, [{ eventId: randomUUID(), type: 'DeviceEnrollmentStarted', data: { udid, topic: 't', certificateHash: String(conflicts), facts: {}, reenrollment: false, startedAt: at } }], 'any');
      }
      return inner.append(s, events, expected);
    };
    const result = await handleCommand(flaky, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command: authenticate(), actor, occurredAt: at });
    expect(result.nextRevision).to.equal(2);
    expect((await store.readStream(deviceStreamId(udid))).map((e) => (e.data as { certificateHash: string }).certificateHash)).to.deep.equal(['1', '0', 'aa'.repeat(32)]);
  });

  it('gives up after the bounded number of attempts with ConcurrencyError', async () => {
    const hostile: EventStore = Object.create(store) as EventStore;
    let attempts = 0;
    hostile.append = async (s) => {
      attempts++;
      throw new ConcurrencyError(s, 0, 1);
    };
    const err = await handleCommand(hostile, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command: authenticate(), actor, occurredAt: at }, { retry: { maxAttempts: 3, baseDelayMs: 1 } }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConcurrencyError);
    expect(attempts).to.equal(3);
  });

  it('a refused command appends nothing and surfaces the DomainError', async () => {
    const err = await handleCommand(store, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command: { type: 'CheckOut', udid, at }, actor, occurredAt: at }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DomainError);
    expect(await store.readStream(deviceStreamId(udid))).to.deep.equal([]);
  });

  it('refuses a command id that is not a UUID', async () => {
    const err = await handleCommand(store, deviceDecider, deviceStreamId(udid), { commandId: 'nope', command: authenticate(), actor, occurredAt: at }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
  });
});
