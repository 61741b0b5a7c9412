import { expect } from 'chai';
import { join } from 'node:path';
import { ReportService, type ResultInterpreter } from '../../application/mdm/report-service.js';
import { StateCache } from '../../application/state-cache.js';
import { deviceStreamId, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { tempDir } from '../support/temp-dir.js';

const udid = 'UDID-REPORT-0001';
const at = '2026-11-01T10:00:00.000Z';
const identity = { certificateHash: 'ab'.repeat(32), remoteAddress: '127.0.0.1' };

describe('ReportService', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    const seed: DeviceEvent[] = [
      { type: 'DeviceEnrollmentStarted', data: { udid, topic: 't', certificateHash: identity.certificateHash, facts: {}, reenrollment: false, startedAt: at } },
      { type: 'DeviceEnrolled', data: { udid, topic: 't', pushToken: '01', pushMagic: 'm', enrolledAt: at } },
      { type: 'CommandQueued', data: { commandUuid: 'apps', request: { requestType: 'InstalledApplicationList' }, priority: 50, queuedAt: at, expiresAt: '2099-01-01T00:00:00.000Z', queuedBy: 'admin:a' } },
      { type: 'CommandQueued', data: { commandUuid: 'next', request: { requestType: 'SecurityInfo' }, priority: 10, queuedAt: at, expiresAt: '2099-01-01T00:00:00.000Z', queuedBy: 'admin:a' } },
      { type: 'CommandDelivered', data: { commandUuid: 'apps', attempt: 1, deliveredAt: at } },
    ];
    await store.append(deviceStreamId(udid), seed.map((e, i) => ({ eventId: `00000000-0000-4000-8000-00000000000${i}`, type: e.type, data: e.data })), 'no-stream');
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('records the acknowledgement without a result too large for one event, and hands out the next command', async () => {
    const huge: ResultInterpreter = { interpret: () => ({ kind: 'InstalledApplicationList', result: { blob: 'x'.repeat(1_200_000) }, fingerprint: 'f' }) };
    const tooLarge: Array<[string, string, number]> = [];
    const service = new ReportService(store, { now: () => new Date(at) }, new StateCache<DeviceState>(), huge, { seenIntervalMs: 3_600_000, onResultTooLarge: (u, k, b) => tooLarge.push([u, k, b]) });
    const outcome = await service.report({ udid, status: 'Acknowledged', commandUuid: 'apps', body: {} }, identity);
    expect(outcome.answer).to.deep.equal({ kind: 'ok' });
    expect(outcome.next?.commandUuid).to.equal('next');
    const types = (await store.readStream(deviceStreamId(udid))).map((e) => e.type);
    expect(types.slice(-3)).to.deep.equal(['DeviceSeen', 'CommandAcknowledged', 'CommandDelivered']);
    expect(tooLarge.map(([u, k]) => [u, k])).to.deep.equal([[udid, 'InstalledApplicationList']]);
    expect(tooLarge[0]![2]).to.be.greaterThan(1_000_000);
  });

  it('refuses a report from a certificate not bound to the device, and records nothing', async () => {
    const service = new ReportService(store, { now: () => new Date(at) }, new StateCache<DeviceState>(), { interpret: () => undefined }, { seenIntervalMs: 3_600_000 });
    const before = (await store.readStream(deviceStreamId(udid))).length;
    const outcome = await service.report({ udid, status: 'Idle', body: {} }, { ...identity, certificateHash: 'cd'.repeat(32) });
    expect(outcome.answer).to.deep.equal({ kind: 'refused', reason: 'udid-mismatch' });
    expect(await store.readStream(deviceStreamId(udid))).to.have.length(before);
  });
});
