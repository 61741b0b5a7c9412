import { expect } from 'chai';
import { commandHistory } from '../../projections/command-history.js';
import { commandRecordProjection, MAX_ERROR_CHAIN, type CommandRecord } from '../../projections/command-record.js';
import { DeviceScript, UDID } from './device-script.js';
import { EventLog, expectPlainJson, fold, t, underClock } from './event-log.js';

const records = (log: EventLog): Map<string, CommandRecord> => {
  const docs = fold(commandRecordProjection, log.events);
  for (const doc of docs.values()) expectPlainJson(doc);
  return docs;
};

describe('command-record projection', () => {
  it('follows each command from queueing to its outcome, with delivery and finish timings', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    const lock = device.queue('DeviceLock', t(10));
    const info = device.queue('DeviceInformation', t(11));
    const wipe = device.queue('EraseDevice', t(12), 'admin:bob');
    device.idle(t(15)).notNow(lock, t(16)); // NotNow; the next one (info) is handed out in the same answer
    device.acknowledge(info, t(17)); // lock stays deferred; wipe is handed out
    device.idle(t(30)); // an Idle hands wipe out again: a second attempt
    device.fail(lock, t(31));
    device.log.device({ type: 'CancelCommand', udid: UDID, commandUuid: wipe, cancelledBy: 'admin:bob', at: t(40) }, { kind: 'admin', id: 'bob' });

    const docs = records(device.log);
    expect([...docs.keys()]).to.have.members([`${UDID}:${lock}`, `${UDID}:${info}`, `${UDID}:${wipe}`]);
    const l = docs.get(`${UDID}:${lock}`)!;
    expect(l).to.deep.include({
      udid: UDID, commandUuid: lock, requestType: 'DeviceLock', status: 'failed', priority: 50, queuedAt: t(10), queuedBy: 'admin:alice',
      deliveries: 1, deferrals: 1, firstDeliveredAt: t(15), lastDeliveredAt: t(15), finishedAt: t(31), failureStatus: 'Error',
      timeToFirstDeliveryMs: 5 * 60_000, timeToFinishMs: 21 * 60_000,
    });
    expect(l.errorChain).to.deep.equal([{ errorCode: 12021, errorDomain: 'MCMDMErrorDomain', localizedDescription: 'Not allowed' }]);
    expect(docs.get(`${UDID}:${info}`)).to.deep.include({ status: 'acknowledged', deliveries: 1, firstDeliveredAt: t(16), finishedAt: t(17), timeToFirstDeliveryMs: 5 * 60_000, timeToFinishMs: 6 * 60_000 });
    expect(docs.get(`${UDID}:${wipe}`)).to.deep.include({
      status: 'cancelled', cancelledBy: 'admin:bob', cancellationReason: 'cancelled', finishedAt: t(40), queuedBy: 'admin:bob',
      deliveries: 2, firstDeliveredAt: t(17), lastDeliveredAt: t(30), timeToFirstDeliveryMs: 5 * 60_000, timeToFinishMs: 28 * 60_000,
    });
  });

  it('cancels what was pending when the device checks out, with the reason', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    const uuid = device.queue('ProfileList', t(2));
    device.checkOut(t(3));
    expect(records(device.log).get(`${UDID}:${uuid}`)).to.deep.include({ status: 'cancelled', cancellationReason: 'checked-out', cancelledBy: 'device', finishedAt: t(3), timeToFinishMs: 60_000 });
  });

  it('keeps counts right and a finished command final when an event is applied again', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    const uuid = device.queue('DeviceLock', t(2));
    device.idle(t(3)).acknowledge(uuid, t(4));
    const events = device.log.events.filter((e) => commandRecordProjection.handles.has(e.type));
    let doc: CommandRecord | undefined;
    for (const event of [...events, ...events]) doc = commandRecordProjection.apply(doc, event) ?? undefined;
    expect(doc).to.deep.include({ status: 'acknowledged', deliveries: 1, deferrals: 0, finishedAt: t(4), firstDeliveredAt: t(3) });
  });

  it('bounds the error chain a device sends', () => {
    const log = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1)).log;
    const stream = `device-${UDID}`;
    log.append(stream, 'CommandQueued', { commandUuid: 'c1', request: { requestType: 'InstallProfile' }, priority: 50, queuedAt: t(2), expiresAt: t(900), queuedBy: 'admin:alice' });
    const chain = Array.from({ length: 40 }, (_, i) => ({ errorCode: i, localizedDescription: 'x'.repeat(5000), extra: 'dropped' }));
    log.append(stream, 'CommandFailed', { commandUuid: 'c1', status: 'Error', errorChain: chain, failedAt: t(3) });
    const doc = records(log).get(`${UDID}:c1`)!;
    expect(doc.errorChain).to.have.length(MAX_ERROR_CHAIN);
    expect(doc.errorChain![0]).to.deep.equal({ errorCode: 0, localizedDescription: 'x'.repeat(512) });
  });

  it('ignores outcomes of commands it never saw queued, and events of other streams', () => {
    const log = new EventLog();
    log.append(`device-${UDID}`, 'CommandAcknowledged', { commandUuid: 'ghost', acknowledgedAt: t(1) });
    log.append('device-group-sales', 'CommandQueued', { commandUuid: 'c', request: { requestType: 'DeviceLock' }, priority: 50, queuedAt: t(1), expiresAt: t(9), queuedBy: 'admin:a' });
    expect(records(log).size).to.equal(0);
  });

  it('is pure: the same events under two clocks give the same records; indexes for the history queries', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    device.idle(t(2));
    const uuid = device.queue('DeviceInformation', t(3));
    device.idle(t(4)).acknowledge(uuid, t(5));
    const a = underClock(Date.UTC(2001, 0, 1), () => fold(commandRecordProjection, device.log.events));
    const b = underClock(Date.UTC(2099, 0, 1), () => fold(commandRecordProjection, device.log.events));
    expect(a).to.deep.equal(b);
    expect(commandRecordProjection.indexes!.map((i) => i.fields.map((f) => f.path).join('+'))).to.have.members(['udid+queuedAt', 'status', 'requestType']);
  });

  it('commandHistory lists a stream\'s commands oldest first, folded through the projection', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    const first = device.queue('DeviceLock', t(2));
    const second = device.queue('ProfileList', t(3));
    device.idle(t(4)).acknowledge(first, t(5));
    const history = commandHistory(device.log.events);
    expect(history.map((h) => [h.commandUuid, h.status])).to.deep.equal([[first, 'acknowledged'], [second, 'delivered']]);
    expect(history[0]).to.not.have.property('udid');
  });
});
