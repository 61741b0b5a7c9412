import { expect } from 'chai';
import { deviceDecider, type DeviceEvent } from '../../domain/device/device.js';
import { fold } from '../../domain/shared/decider.js';
import { selectNext } from '../../domain/device/queue/select-next.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(deviceDecider);
const udid = 'UDID-Q';
const topic = 'com.apple.mgmt.External.q';
const t = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 10, minutes)).toISOString();
const HOUR = 3_600_000;

const enrolled: DeviceEvent[] = [
  { type: 'DeviceEnrollmentStarted', data: { udid, topic, certificateHash: 'aa', facts: {}, reenrollment: false, startedAt: t(0) } },
  { type: 'DeviceEnrolled', data: { udid, topic, pushToken: '01', pushMagic: 'm', enrolledAt: t(0) } },
  { type: 'DeviceSeen', data: { seenAt: t(0) } },
];
const queued = (uuid: string, over: Record<string, unknown> = {}): DeviceEvent => ({
  type: 'CommandQueued',
  data: { commandUuid: uuid, request: { requestType: 'DeviceInformation', Queries: ['UDID'] }, priority: 50, queuedAt: t(1), expiresAt: t(59), queuedBy: 'admin:alice', ...over },
});
const delivered = (uuid: string, attempt = 1, at = t(2)): DeviceEvent => ({ type: 'CommandDelivered', data: { commandUuid: uuid, attempt, deliveredAt: at } });
const idle = (at: string) => ({ type: 'RequestNextCommand' as const, udid, at, seenIntervalMs: 4 * HOUR });
const report = (uuid: string, status: 'Acknowledged' | 'Error' | 'CommandFormatError' | 'NotNow', at = t(3), extra: Record<string, unknown> = {}) => ({ type: 'RecordReport' as const, udid, commandUuid: uuid, status, at, seenIntervalMs: 4 * HOUR, ...extra });
const queue = (uuid: string, over: Record<string, unknown> = {}) => ({ type: 'QueueCommand' as const, udid, commandUuid: uuid, request: { requestType: 'DeviceInformation', Queries: ['UDID'] }, priority: 50, expiresAt: t(59), queuedBy: 'admin:alice', at: t(1), ...over });

describe('Device command queue', () => {
  describe('QueueCommand', () => {
    it('queues a command for an enrolled device', () => {
      spec.given(enrolled).when(queue('c1')).then([queued('c1')]);
    });
    it('queueing the same CommandUUID again changes nothing, even after it finished', () => {
      spec.given([...enrolled, queued('c1')]).when(queue('c1')).thenNothing();
      spec.given([...enrolled, queued('c1'), delivered('c1'), { type: 'CommandAcknowledged', data: { commandUuid: 'c1', acknowledgedAt: t(3) } }]).when(queue('c1')).thenNothing();
    });
    it('refuses unknown or checked-out devices, bad priorities and past expiry', () => {
      spec.given([]).when(queue('c1')).thenThrows('not-enrolled');
      spec.given([...enrolled, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t(1) } }]).when(queue('c1')).thenThrows('not-enrolled');
      spec.given(enrolled).when(queue('c1', { priority: 101 })).thenThrows('invalid-command');
      spec.given(enrolled).when(queue('c1', { expiresAt: t(0) })).thenThrows('invalid-command');
    });
  });

  describe('RequestNextCommand (Idle)', () => {
    it('hands out the highest priority first, FIFO within a priority', () => {
      spec.given([...enrolled, queued('low', { priority: 10 }), queued('a'), queued('b'), queued('high', { priority: 90 })]).when(idle(t(2))).then([delivered('high')]);
      spec.given([...enrolled, queued('a'), queued('b')]).when(idle(t(2))).then([delivered('a')]);
    });
    it('an Idle with nothing to deliver appends nothing (DeviceSeen only once per interval)', () => {
      spec.given(enrolled).when(idle(t(30))).thenNothing();
      spec.given(enrolled).when({ ...idle(new Date(Date.parse(t(0)) + 5 * HOUR).toISOString()) }).then([{ type: 'DeviceSeen', data: { seenAt: new Date(Date.parse(t(0)) + 5 * HOUR).toISOString() } }]);
    });
    it('re-sends a command whose report was lost, with the same UUID, as a new attempt', () => {
      spec.given([...enrolled, queued('a'), queued('b'), delivered('a')]).when(idle(t(5))).then([delivered('a', 2, t(5))]);
    });
    it('a delivered command that is never reported expires too, and stops blocking the queue', () => {
      spec.given([...enrolled, queued('stuck', { expiresAt: t(3) }), queued('next'), delivered('stuck')]).when(idle(t(4)))
        .then([{ type: 'CommandExpired', data: { commandUuid: 'stuck', expiredAt: t(4) } }, delivered('next', 1, t(4))]);
    });
    it('expires commands past their time to live and never hands them out', () => {
      spec.given([...enrolled, queued('old', { expiresAt: t(3) }), queued('new')]).when(idle(t(4)))
        .then([{ type: 'CommandExpired', data: { commandUuid: 'old', expiredAt: t(4) } }, delivered('new', 1, t(4))]);
    });
    it('refuses a device that is not enrolled', () => {
      spec.given([]).when(idle(t(1))).thenThrows('not-enrolled');
    });
  });

  describe('RecordReport', () => {
    const withTwo = [...enrolled, queued('a'), queued('b'), delivered('a')];
    it('Acknowledged finishes the command and hands out the next in the same decision', () => {
      spec.given(withTwo).when(report('a', 'Acknowledged')).then([{ type: 'CommandAcknowledged', data: { commandUuid: 'a', acknowledgedAt: t(3) } }, delivered('b', 1, t(3))]);
    });
    it('records a typed result only when it changed since the last one', () => {
      const result = { kind: 'DeviceInformation' as const, result: { OSVersion: '17.4' }, fingerprint: 'f1' };
      const first = { type: 'DeviceInformationReported' as const, data: { commandUuid: 'a', kind: 'DeviceInformation' as const, result: { OSVersion: '17.4' }, fingerprint: 'f1', reportedAt: t(3) } };
      spec.given([...enrolled, queued('a'), delivered('a')]).when(report('a', 'Acknowledged', t(3), { result }))
        .then([{ type: 'CommandAcknowledged', data: { commandUuid: 'a', acknowledgedAt: t(3) } }, first]);
      spec.given([...enrolled, first, queued('c'), delivered('c')]).when(report('c', 'Acknowledged', t(3), { result: { ...result } }))
        .then([{ type: 'CommandAcknowledged', data: { commandUuid: 'c', acknowledgedAt: t(3) } }]);
    });
    it('Error and CommandFormatError fail the command with the ErrorChain', () => {
      const errorChain = [{ errorCode: 12021, errorDomain: 'MCMDMErrorDomain', localizedDescription: 'Unknown command' }];
      spec.given(withTwo).when(report('a', 'CommandFormatError', t(3), { errorChain }))
        .then([{ type: 'CommandFailed', data: { commandUuid: 'a', status: 'CommandFormatError', errorChain, failedAt: t(3) } }, delivered('b', 1, t(3))]);
    });
    it('NotNow defers: not handed out again in this session, but at the next Idle', () => {
      const deferredA: DeviceEvent = { type: 'CommandDeferred', data: { commandUuid: 'a', deferrals: 1, deferredAt: t(3) } };
      const afterNotNow = [...withTwo, deferredA, delivered('b', 1, t(3))];
      spec.given(withTwo).when(report('a', 'NotNow')).then([deferredA, delivered('b', 1, t(3))]);
      // b acknowledged: a stays deferred until the next Idle, so nothing more now.
      spec.given(afterNotNow).when(report('b', 'Acknowledged', t(4))).then([{ type: 'CommandAcknowledged', data: { commandUuid: 'b', acknowledgedAt: t(4) } }]);
      spec.given([...afterNotNow, { type: 'CommandAcknowledged', data: { commandUuid: 'b', acknowledgedAt: t(4) } }]).when(idle(t(10))).then([delivered('a', 2, t(10))]);
    });
    it('a repeated NotNow within one session appends nothing more', () => {
      const deferred = [...withTwo, { type: 'CommandDeferred', data: { commandUuid: 'a', deferrals: 1, deferredAt: t(3) } } as DeviceEvent, delivered('b', 1, t(3))];
      spec.given(deferred).when(report('a', 'NotNow', t(4))).thenNothing();
    });
    it('a duplicate or late report for a finished command changes nothing', () => {
      const done = [...enrolled, queued('a'), delivered('a'), { type: 'CommandAcknowledged', data: { commandUuid: 'a', acknowledgedAt: t(3) } } as DeviceEvent];
      spec.given(done).when(report('a', 'Acknowledged', t(4))).thenNothing();
      spec.given(done).when(report('a', 'Error', t(4))).thenNothing();
      spec.given(done).when(report('never-queued', 'Acknowledged', t(4))).thenNothing();
    });
    it('re-sending the command that is out with the device within a session appends nothing', () => {
      // The device repeats an old report: the server hands out b again, already recorded as delivered.
      const bOut = [...enrolled, queued('a'), queued('b'), delivered('a'), { type: 'CommandAcknowledged', data: { commandUuid: 'a', acknowledgedAt: t(3) } } as DeviceEvent, delivered('b', 1, t(3))];
      spec.given(bOut).when(report('a', 'Acknowledged', t(4))).thenNothing();
      const state = fold(deviceDecider, bOut);
      expect(selectNext(state.queue.queue, { idle: false, now: t(4) })?.commandUuid).to.equal('b');
    });
  });

  describe('CancelCommand', () => {
    const cancel = (uuid: string) => ({ type: 'CancelCommand' as const, udid, commandUuid: uuid, cancelledBy: 'admin:bob', at: t(2) });
    it('cancels a queued or deferred command', () => {
      spec.given([...enrolled, queued('a')]).when(cancel('a')).then([{ type: 'CommandCancelled', data: { commandUuid: 'a', reason: 'cancelled', cancelledBy: 'admin:bob', cancelledAt: t(2) } }]);
    });
    it('cancels a delivered command too (it is not sent again; a late report changes nothing)', () => {
      spec.given([...enrolled, queued('a'), delivered('a')]).when(cancel('a')).then([{ type: 'CommandCancelled', data: { commandUuid: 'a', reason: 'cancelled', cancelledBy: 'admin:bob', cancelledAt: t(2) } }]);
    });
    it('refuses once finished or unknown', () => {
      spec.given([...enrolled, queued('a'), delivered('a'), { type: 'CommandAcknowledged', data: { commandUuid: 'a', acknowledgedAt: t(3) } }]).when(cancel('a')).thenThrows('command-finished');
      spec.given(enrolled).when(cancel('zzz')).thenThrows('unknown-command');
    });
  });

  describe('CheckOut and identity renewal', () => {
    it('CheckOut cancels every pending command', () => {
      spec.given([...enrolled, queued('a'), queued('b'), delivered('a')]).when({ type: 'CheckOut', udid, at: t(5) }).then([
        { type: 'CommandCancelled', data: { commandUuid: 'a', reason: 'checked-out', cancelledBy: 'device', cancelledAt: t(5) } },
        { type: 'CommandCancelled', data: { commandUuid: 'b', reason: 'checked-out', cancelledBy: 'device', cancelledAt: t(5) } },
        { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t(5) } },
      ]);
    });
    it('a renewal of the bound certificate rebinds an enrolled device and keeps queue and enrollment; any other is refused', () => {
      spec.given([...enrolled, queued('a')]).when({ type: 'StartEnrollment', udid, topic, certificateHash: 'bb', facts: {}, at: t(6) }).thenThrows('rebind-refused');
      // A renewal of some other certificate (e.g. the attacker's own) is no renewal of this device's.
      spec.given([...enrolled, queued('a')]).when({ type: 'StartEnrollment', udid, topic, certificateHash: 'bb', renewalOf: 'cc', facts: {}, at: t(6) }).thenThrows('rebind-refused');
      spec.given([...enrolled, queued('a')]).when({ type: 'StartEnrollment', udid, topic, certificateHash: 'bb', renewalOf: 'aa', facts: {}, at: t(6) })
        .then([{ type: 'DeviceCertificateRebound', data: { udid, previousCertificateHash: 'aa', certificateHash: 'bb', facts: {}, reboundAt: t(6) } }]);
      const state = fold(deviceDecider, [...enrolled, queued('a'), { type: 'DeviceCertificateRebound', data: { udid, previousCertificateHash: 'aa', certificateHash: 'bb', facts: {}, reboundAt: t(6) } }]);
      expect(state).to.include({ status: 'enrolled', certificateHash: 'bb' });
      expect(state.queue.queue.map((c) => c.commandUuid)).to.deep.equal(['a']);
    });
    it('unenrollment cancels pending commands, refuses new ones, and ends at CheckOut', () => {
      const unenroll = { type: 'RequestUnenrollment' as const, udid, reason: 'rejected', requestedBy: 'admin:bob', at: t(9) };
      const requested: DeviceEvent = { type: 'DeviceUnenrollmentRequested', data: { udid, reason: 'rejected', requestedBy: 'admin:bob', requestedAt: t(9) } };
      spec.given([...enrolled, queued('a')]).when(unenroll).then([
        { type: 'CommandCancelled', data: { commandUuid: 'a', reason: 'unenrolled', cancelledBy: 'admin:bob', cancelledAt: t(9) } },
        requested,
      ]);
      spec.given([...enrolled, requested]).when(unenroll).thenNothing();
      spec.given([...enrolled, requested]).when(queue('b')).thenThrows('unenrolling');
      spec.given([]).when(unenroll).thenThrows('not-enrolled');
      const after = fold(deviceDecider, [...enrolled, requested, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t(10) } }]);
      expect(after.unenrollmentRequestedAt).to.equal(undefined);
    });

    it('a 410 invalidates only the token it was about, until a new TokenUpdate', () => {
      spec.given(enrolled).when({ type: 'InvalidatePushToken', udid, pushToken: 'stale', at: t(7) }).thenNothing();
      spec.given(enrolled).when({ type: 'InvalidatePushToken', udid, pushToken: '01', at: t(7) }).then([{ type: 'PushTokenInvalidated', data: { udid, pushToken: '01', invalidatedAt: t(7) } }]);
      const invalid = [...enrolled, { type: 'PushTokenInvalidated', data: { udid, pushToken: '01', invalidatedAt: t(7) } } as DeviceEvent];
      spec.given(invalid).when({ type: 'RecordTokenUpdate', udid, topic, pushToken: '01', pushMagic: 'm', at: t(8) })
        .then([{ type: 'PushTokenUpdated', data: { udid, topic, pushToken: '01', pushMagic: 'm', updatedAt: t(8) } }]);
    });
  });
});
