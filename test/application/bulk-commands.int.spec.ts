import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BulkCommands, bulkCommandUuid } from '../../application/commands/bulk-commands.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import {
  EventStoreUnavailableError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.js';
import { StateCache } from '../../application/state-cache.js';
import { bulkCommandStreamId } from '../../domain/bulk-command/bulk-command.js';
import { BULK_COMMAND_INDEX_STREAM } from '../../domain/bulk-command/bulk-command-index.js';
import { deviceStreamId, type DeviceState } from '../../domain/device/device.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import type { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { KNOWN_EVENT_TYPES } from '../../projections/audit-summaries.js';
import { ManualTime } from '../apns/manual-time.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';
import type { tempDir } from '../support/temp-dir.js';

const admin = { kind: 'admin' as const, id: 'alice' };
const TOPIC = 'com.apple.mgmt.External.5e0c1a7b-2f4d-4c3e-9b8a-1d2e3f4a5b6c';
const PIN = '739164';
const udid = (i: number) => `00008030-${i.toString(16).toUpperCase().padStart(16, '0')}`;
const devices = (n: number, from = 0) => Array.from({ length: n }, (_, i) => udid(from + i));

/** Delegates to a real store; from its Nth append on, every append fails as if the store went away. */
class FailingStore implements EventStore {
  appends = 0;
  constructor(private readonly inner: EventStore, private readonly failFrom: number) {}
  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (++this.appends >= this.failFrom) throw new EventStoreUnavailableError(`append ${this.appends}: the store went away`);
    return this.inner.append(streamId, events, expected);
  }
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(handler, options);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  async close(): Promise<void> {}
}

describe('BulkCommands: one request, fanned out idempotently (SQLite)', function () {
  this.timeout(120_000);
  let store: SqliteEventStore;
  let dir: ReturnType<typeof tempDir>;
  eachSqliteStore((s, d) => {
    store = s;
    dir = d;
  });

  const time = new ManualTime(Date.UTC(2026, 2, 1, 9, 0, 0));
  let box: AesGcmSecretBox;
  beforeEach(async () => {
    box = new AesGcmSecretBox((await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true })).key);
  });

  /** A server process's services over `over` (the real store unless a failing one is given). */
  const services = (over: EventStore = store, chunkSize?: number) => {
    const queue = new CommandQueueService(over, time, new StateCache<DeviceState>(), new CommandPreparation(box, new EventStoreBlobStore(over, box)));
    return { queue, bulks: new BulkCommands(over, time, queue, chunkSize !== undefined ? { chunkSize } : {}) };
  };

  async function enroll(udids: readonly string[]): Promise<void> {
    const checkIns = new CheckInService(store, box, time, new StateCache<DeviceState>());
    await Promise.all(udids.map(async (u) => {
      // A certificate speaks for one device only.
      const identity = { certificateHash: createHash('sha256').update(u).digest('hex'), remoteAddress: '127.0.0.1' };
      await checkIns.handle({ messageType: 'Authenticate', udid: u, topic: TOPIC, facts: {} }, identity);
      await checkIns.handle({ messageType: 'TokenUpdate', udid: u, topic: TOPIC, token: Buffer.from('0a0b', 'hex'), pushMagic: 'PM' }, identity);
    }));
  }

  /** The CommandUUIDs ever queued on each device. */
  async function queuedOn(udids: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (const u of udids) result.set(u, (await store.readStream(deviceStreamId(u))).filter((e) => e.type === 'CommandQueued').map((e) => (e.data as { commandUuid: string }).commandUuid));
    return result;
  }

  async function expectExactlyOnePerDevice(bulkId: string, udids: readonly string[]): Promise<void> {
    const queued = await queuedOn(udids);
    const wrong = udids.filter((u) => JSON.stringify(queued.get(u)) !== JSON.stringify([bulkCommandUuid(bulkId, u)]));
    expect(wrong, 'devices without exactly one command of the bulk').to.deep.equal([]);
  }

  const bulkEvents = async (bulkId: string) => store.readStream(bulkCommandStreamId(bulkId));
  const progressThroughs = async (bulkId: string) => (await bulkEvents(bulkId)).filter((e) => e.type === 'BulkCommandProgressed').map((e) => (e.data as { through: number }).through);

  it('queues exactly one command per enrolled device, with the deterministic CommandUUID, and lists the devices that refused', async () => {
    const enrolled = devices(600);
    await enroll(enrolled);
    const strangers = [udid(10_001), udid(10_002), udid(10_003)];
    const list = [...enrolled.slice(0, 300), strangers[0]!, ...enrolled.slice(300), strangers[1]!, enrolled[5]!, strangers[2]!];
    const { bulks } = services();
    const accepted = await bulks.request({ target: { kind: 'group', group: 'field-staff' }, udids: list, input: { requestType: 'SecurityInfo' }, actor: admin });
    expect(accepted).to.deep.include({ total: 603, requestType: 'SecurityInfo', status: 'fanning-out', requestedBy: 'admin:alice', target: { kind: 'group', group: 'field-staff' } });
    await bulks.idle();

    const view = await bulks.get(accepted.bulkId);
    expect(view).to.deep.include({ status: 'completed', total: 603, through: 603, queued: 600, alreadyQueued: 0 });
    expect(view!.refused.map((r) => [r.udid, r.code])).to.deep.equal(strangers.map((u) => [u, 'not-enrolled']));
    expect(await progressThroughs(accepted.bulkId)).to.deep.equal([250, 500, 603]);
    await expectExactlyOnePerDevice(accepted.bulkId, enrolled);
    const completed = (await bulkEvents(accepted.bulkId)).find((e) => e.type === 'BulkCommandCompleted');
    expect(completed?.data).to.deep.include({ queued: 600, alreadyQueued: 0, refused: 3 });
    const types = new Set((await store.readAll()).map((e) => e.type));
    expect([...types].filter((t) => !KNOWN_EVENT_TYPES.has(t)), 'event types without an audit summary').to.deep.equal([]);
    // Finished bulks are closed in the index: a start has nothing to resume.
    expect(await bulks.resumeUnfinished()).to.deep.equal([]);
  });

  for (const { failFrom, when } of [
    { failFrom: 103, when: 'when the first progress is recorded' },
    { failFrom: 350, when: 'in the middle of a chunk' },
  ]) {
    it(`crash ${when}: resuming queues every device exactly once and the totals add up`, async () => {
      const udids = devices(600);
      await enroll(udids);
      const failing = new FailingStore(store, failFrom);
      // Appends: index entry (1), request (2), then 100 devices and a progress per chunk.
      const crashed = services(failing, 100);
      const accepted = await crashed.bulks.request({ target: { kind: 'devices' }, udids, input: { requestType: 'DeviceInformation', Queries: ['OSVersion'] }, actor: admin });
      await crashed.bulks.idle();
      const before = await bulks();
      expect(before.status).to.equal('fanning-out');
      expect(before.through).to.be.lessThan(600);
      const queuedBefore = [...(await queuedOn(udids)).values()].filter((c) => c.length > 0).length;
      expect(queuedBefore).to.be.greaterThan(before.through);

      const restarted = services(store, 100);
      expect(await restarted.bulks.resumeUnfinished()).to.deep.equal([{ bulkId: accepted.bulkId, outcome: 'completed' }]);
      await expectExactlyOnePerDevice(accepted.bulkId, udids);
      const after = await restarted.bulks.get(accepted.bulkId);
      expect(after).to.deep.include({ status: 'completed', through: 600, refused: [] });
      // Devices queued by the crashed chunk are found already queued when it is done again.
      expect(after!.alreadyQueued).to.equal(queuedBefore - before.through);
      expect(after!.queued + after!.alreadyQueued).to.equal(600);
      const throughs = await progressThroughs(accepted.bulkId);
      expect(throughs).to.deep.equal([100, 200, 300, 400, 500, 600]);

      async function bulks() {
        return (await services().bulks.get(accepted.bulkId))!;
      }
    });
  }

  it('two fan-outs of the same bulk at once do not both record progress', async () => {
    const udids = devices(300);
    await enroll(udids);
    const one = services(store, 25);
    const two = services(store, 25);
    const accepted = await one.bulks.request({ target: { kind: 'devices' }, udids, input: { requestType: 'ProfileList' }, actor: admin });
    const [outcomeTwo] = await Promise.all([two.bulks.fanOut(accepted.bulkId), one.bulks.idle()]);
    expect(['completed', 'superseded']).to.include(outcomeTwo);

    const throughs = await progressThroughs(accepted.bulkId);
    expect(throughs).to.deep.equal(Array.from({ length: 12 }, (_, i) => (i + 1) * 25));
    const events = await bulkEvents(accepted.bulkId);
    expect(events.filter((e) => e.type === 'BulkCommandCompleted')).to.have.length(1);
    const view = (await one.bulks.get(accepted.bulkId))!;
    expect(view.queued + view.alreadyQueued).to.equal(300);
    await expectExactlyOnePerDevice(accepted.bulkId, udids);
  });

  it('the same request re-sent returns the same bulk; other content under its id is refused; an invalid command records nothing', async () => {
    const udids = devices(20);
    await enroll(udids);
    const { bulks } = services();
    const bulkId = randomUUID();
    const request = { bulkId, target: { kind: 'selection' as const, filter: { 'device.osVersion': { $lt: '17.4' } } }, udids, input: { requestType: 'DeviceLock', PIN, Message: 'Return to IT' }, actor: admin };
    const first = await bulks.request(request);
    await bulks.idle();
    // Sealing is randomised: the re-sent PIN is recognised by its keyed fingerprint.
    const again = await bulks.request({ ...request, udids: [...udids, udids[0]!] });
    expect(again).to.deep.include({ bulkId, status: 'completed', total: 20, queued: 20 });
    expect(first.bulkId).to.equal(bulkId);
    expect((await bulkEvents(bulkId)).filter((e) => e.type === 'BulkCommandRequested')).to.have.length(1);

    const refusal = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => (error instanceof DomainError ? error.code : String(error)));
    expect(await refusal(bulks.request({ ...request, input: { requestType: 'DeviceLock', PIN: '111111', Message: 'Return to IT' } }))).to.equal('bulk-exists');
    expect(await refusal(bulks.request({ ...request, udids: udids.slice(1) }))).to.equal('bulk-exists');

    const before = (await store.readAll()).length;
    expect(await refusal(bulks.request({ ...request, bulkId: randomUUID(), input: { requestType: 'DeviceLock', PIN: '12' } }))).to.equal('invalid-command');
    expect(await refusal(bulks.request({ ...request, bulkId: randomUUID(), udids: [] }))).to.equal('bulk-no-devices');
    expect(await refusal(bulks.request({ ...request, bulkId: randomUUID(), udids: ['not a udid'] }))).to.equal('invalid-udid');
    expect(await refusal(bulks.request({ ...request, bulkId: 'bulk-1' }))).to.equal('invalid-bulk');
    expect((await store.readAll()).length, 'nothing recorded for refused requests').to.equal(before);
    await expectExactlyOnePerDevice(bulkId, udids);
  });

  it('PINs appear only sealed in the stored events', async () => {
    const udids = devices(8);
    await enroll(udids);
    const { bulks } = services();
    const lock = await bulks.request({ target: { kind: 'devices' }, udids, input: { requestType: 'DeviceLock', PIN }, actor: admin });
    const erase = await bulks.request({ target: { kind: 'devices' }, udids: udids.slice(0, 2), input: { requestType: 'EraseDevice', PIN: '502817' }, actor: admin });
    await bulks.idle();
    const all = await store.readAll();
    const text = JSON.stringify(all);
    expect(text).not.to.include(PIN);
    expect(text).not.to.include('502817');
    for (const bulkId of [lock.bulkId, erase.bulkId]) {
      const requested = (await bulkEvents(bulkId)).find((e) => e.type === 'BulkCommandRequested')!;
      expect((requested.data as { request: { PIN: { sealed: string } } }).request.PIN.sealed).to.match(/^sb1\.[0-9a-f]{8}\./);
    }
    const queued = (await store.readStream(deviceStreamId(udids[0]!))).filter((e) => e.type === 'CommandQueued').map((e) => e.data as { request: { requestType: string; PIN: { sealed: string } } });
    expect(queued.map((q) => q.request.requestType)).to.deep.equal(['DeviceLock', 'EraseDevice']);
    expect(box.open(queued[0]!.request.PIN.sealed, 'command-parameter/PIN').toString()).to.equal(PIN);
  });

  it('a device list longer than one event is recorded in parts; a request cut short while listing is completed by re-sending it', async () => {
    // Not enrolled: every device refuses, which keeps the test fast while the list is long.
    const udids = devices(12_000, 50_000);
    const bulkId = randomUUID();
    const request = { bulkId, target: { kind: 'devices' as const }, udids, input: { requestType: 'SecurityInfo' }, actor: admin };
    // Appends: index entry (1), request with the first part (2), the second part (3) fails.
    const failing = services(new FailingStore(store, 3));
    let failure: unknown;
    await failing.bulks.request(request).catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(EventStoreUnavailableError);
    const { bulks } = services();
    expect(await bulks.get(bulkId)).to.deep.include({ status: 'listing', total: 12_000, through: 0 });
    expect(await bulks.resumeUnfinished()).to.deep.equal([{ bulkId, outcome: 'not-listed' }]);

    const view = await bulks.request(request);
    expect(view).to.deep.include({ status: 'fanning-out', total: 12_000 });
    await bulks.idle();
    const events = await bulkEvents(bulkId);
    expect(events.filter((e) => e.type === 'BulkCommandDevicesListed').map((e) => (e.data as { offset: number }).offset)).to.deep.equal([5_000, 10_000]);
    const done = (await bulks.get(bulkId))!;
    expect(done).to.deep.include({ status: 'completed', through: 12_000, queued: 0, alreadyQueued: 0 });
    expect(done.refused.map((r) => r.udid)).to.deep.equal(udids);
  });

  it('an index entry whose request was never written is skipped; list() shows the newest bulks first', async () => {
    const udids = devices(3);
    await enroll(udids);
    const orphan = randomUUID();
    // Appends: the index entry (1) succeeds, the request (2) fails.
    await services(new FailingStore(store, 2)).bulks.request({ bulkId: orphan, target: { kind: 'devices' }, udids, input: { requestType: 'SecurityInfo' }, actor: admin }).catch(() => undefined);
    expect((await store.readStream(BULK_COMMAND_INDEX_STREAM)).map((e) => e.type)).to.deep.equal(['BulkCommandIndexed']);
    const { bulks } = services();
    expect(await bulks.resumeUnfinished()).to.deep.equal([{ bulkId: orphan, outcome: 'unknown-bulk' }]);
    expect(await bulks.get(orphan)).to.equal(undefined);

    const a = await bulks.request({ target: { kind: 'devices' }, udids, input: { requestType: 'SecurityInfo' }, actor: admin });
    const b = await bulks.request({ target: { kind: 'devices' }, udids, input: { requestType: 'ProfileList' }, actor: admin });
    await bulks.idle();
    expect((await bulks.list({ limit: 10 })).map((v) => v.bulkId)).to.deep.equal([b.bulkId, a.bulkId]);
    expect((await bulks.list({ limit: 1 })).map((v) => v.bulkId)).to.deep.equal([b.bulkId]);
  });
});
