import { expect } from 'chai';
import { deviceDecider, type DeviceEvent } from '../../domain/device/device.js';
import { awaitingApproval, withheldFromCommands } from '../../domain/device/quarantine.js';
import { fold } from '../../domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(deviceDecider);
const udid = '00008030-001A2B3C4D5E6F70';
const topic = 'com.apple.mgmt.External.8a6c1a7c-3f0e-4d59-9f7a-2d2c7f1b9e10';
const facts = { serialNumber: 'F2LXK0XXHG7F', osVersion: '17.4' };
const cert = 'aa'.repeat(32);
const other = 'bb'.repeat(32);
const enrollmentId = '5b0e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4';
const t0 = '2026-11-01T10:00:00.000Z';
const t1 = '2026-11-01T10:00:05.000Z';
const t2 = '2026-11-02T08:00:00.000Z';
const link = { enrollmentId, user: 'alice', group: 'sales' };

const authenticate = (over: Record<string, unknown> = {}) => ({ type: 'StartEnrollment' as const, udid, topic, certificateHash: cert, facts, at: t0, ...over });
const started = (over: Record<string, unknown> = {}): DeviceEvent => ({ type: 'DeviceEnrollmentStarted', data: { udid, topic, certificateHash: cert, facts, reenrollment: false, startedAt: t0, ...over } });
const quarantined = (over: Record<string, unknown> = {}): DeviceEvent => ({ type: 'DeviceQuarantined', data: { udid, certificateHash: cert, quarantinedAt: t0, ...over } });
const enrolled: DeviceEvent = { type: 'DeviceEnrolled', data: { udid, topic, pushToken: 'ab01', pushMagic: 'm', enrolledAt: t1 } };
const approved: DeviceEvent = { type: 'DeviceApproved', data: { udid, approvedBy: 'admin:a', approvedAt: t2 } };
const queued: DeviceEvent = { type: 'CommandQueued', data: { commandUuid: 'c1', request: { requestType: 'ProfileList' }, priority: 5, queuedAt: t1, expiresAt: '2027-01-01T00:00:00.000Z', queuedBy: 'admin:a' } } as DeviceEvent;
const approve = { type: 'ApproveDevice' as const, udid, approvedBy: 'admin:a', at: t2 };
const reject = { type: 'RejectDevice' as const, udid, rejectedBy: 'admin:a', reason: 'unknown', at: t2 };

describe('Device aggregate: enrollment link and quarantine', () => {
  it('records the enrollment, user and group the device came through', () => {
    spec.given([]).when(authenticate({ enrollment: link })).then([started({ enrollmentId, user: 'alice', group: 'sales' })]);
    expect(fold(deviceDecider, [started({ enrollmentId, user: 'alice', group: 'sales' })]).enrollment).to.deep.equal(link);
  });

  it('reads older DeviceEnrollmentStarted events without the new fields', () => {
    const state = fold(deviceDecider, [started(), enrolled]);
    expect(state.status).to.equal('enrolled');
    expect(state.enrollment).to.equal(undefined);
    expect(state.quarantine).to.equal(undefined);
  });

  it('quarantines a new enrollment when asked, once per certificate', () => {
    spec.given([]).when(authenticate({ enrollment: link, quarantine: true })).then([started({ enrollmentId, user: 'alice', group: 'sales' }), quarantined({ enrollmentId })]);
    // Facts changed while enrolling: enrollment restarts, the hold is not recorded twice.
    spec.given([started(), quarantined()]).when(authenticate({ quarantine: true, facts: { ...facts, osVersion: '17.5' }, at: t1 }))
      .then([started({ facts: { ...facts, osVersion: '17.5' }, reenrollment: true, startedAt: t1 })]);
    // An approved certificate is not held again.
    spec.given([started(), quarantined(), approved, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t2 } }]).when(authenticate({ quarantine: true, at: t2 }))
      .then([started({ reenrollment: true, startedAt: t2 })]);
    // A new certificate is a new enrollment, decided anew.
    spec.given([started(), quarantined(), approved, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t2 } }]).when(authenticate({ certificateHash: other, quarantine: true, at: t2 }))
      .then([started({ certificateHash: other, reenrollment: true, startedAt: t2 }), quarantined({ certificateHash: other, quarantinedAt: t2 })]);
  });

  it('never quarantines an enrolled device that merely authenticates again or renews its identity', () => {
    spec.given([started(), enrolled]).when(authenticate({ quarantine: true, at: t2 })).thenNothing();
    spec.given([started(), enrolled]).when(authenticate({ certificateHash: other, renewalOf: cert, quarantine: true, at: t2 }))
      .then([{ type: 'DeviceCertificateRebound', data: { udid, previousCertificateHash: cert, certificateHash: other, facts, reboundAt: t2 } }]);
  });

  it('a held device awaits approval and gets no commands; approval lifts both, once', () => {
    const held = fold(deviceDecider, [started(), quarantined(), enrolled]);
    expect(awaitingApproval(held)).to.equal(true);
    expect(withheldFromCommands(held)).to.equal(true);
    spec.given([started(), quarantined({ enrollmentId }), enrolled]).when(approve).then([{ type: 'DeviceApproved', data: { udid, enrollmentId, approvedBy: 'admin:a', approvedAt: t2 } }]);
    spec.given([started(), quarantined(), enrolled, approved]).when(approve).thenNothing();
    const after = fold(deviceDecider, [started(), quarantined(), enrolled, approved]);
    expect(awaitingApproval(after)).to.equal(false);
    expect(withheldFromCommands(after)).to.equal(false);
  });

  it('rejection asks the device to unenroll and cancels what waits, once', () => {
    spec.given([started(), quarantined(), enrolled, queued]).when(reject).then([
      { type: 'DeviceRejected', data: { udid, certificateHash: cert, rejectedBy: 'admin:a', reason: 'unknown', rejectedAt: t2 } },
      { type: 'CommandCancelled', data: { commandUuid: 'c1', reason: 'unenrolled', cancelledBy: 'admin:a', cancelledAt: t2 } },
      { type: 'DeviceUnenrollmentRequested', data: { udid, reason: 'enrollment rejected: unknown', requestedBy: 'admin:a', requestedAt: t2 } },
    ]);
    const history: DeviceEvent[] = [started(), quarantined(), enrolled, ...deviceDecider.decide(reject, fold(deviceDecider, [started(), quarantined(), enrolled]))];
    spec.given(history).when(reject).thenNothing();
    const state = fold(deviceDecider, history);
    expect(state.quarantine?.status).to.equal('rejected');
    expect(awaitingApproval(state)).to.equal(false);
    expect(withheldFromCommands(state)).to.equal(true);
    // A held device that already left is only marked rejected.
    spec.given([started(), quarantined(), { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t1 } }]).when(reject)
      .then([{ type: 'DeviceRejected', data: { udid, certificateHash: cert, rejectedBy: 'admin:a', reason: 'unknown', rejectedAt: t2 } }]);
  });

  it('refuses to decide about a device that is not quarantined, or the opposite of a decision', () => {
    spec.given([started(), enrolled]).when(approve).thenThrows('not-quarantined');
    spec.given([started(), enrolled]).when(reject).thenThrows('not-quarantined');
    spec.given([started(), quarantined(), enrolled, approved]).when(reject).thenThrows('not-quarantined');
    spec.given([]).when(approve).thenThrows('unknown-device');
    const rejected: DeviceEvent = { type: 'DeviceRejected', data: { udid, certificateHash: cert, rejectedBy: 'a', rejectedAt: t2 } };
    spec.given([started(), quarantined(), enrolled, rejected]).when(approve).thenThrows('not-quarantined');
  });

  it('a renewed identity keeps the decision; a new enrollment drops the old link and decision', () => {
    const renewed = fold(deviceDecider, [started({ enrollmentId, user: 'alice' }), quarantined(), enrolled, approved,
      { type: 'DeviceCertificateRebound', data: { udid, previousCertificateHash: cert, certificateHash: other, facts, reboundAt: t2 } }]);
    expect(renewed.quarantine).to.include({ status: 'approved', certificateHash: other });
    expect(renewed.enrollment).to.deep.equal({ enrollmentId, user: 'alice' });
    const again = fold(deviceDecider, [started({ enrollmentId, user: 'alice' }), quarantined(), enrolled, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t2 } }, started({ certificateHash: other, startedAt: t2 })]);
    expect(again.enrollment).to.equal(undefined);
    expect(again.quarantine).to.equal(undefined);
  });
});
