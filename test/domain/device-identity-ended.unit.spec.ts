import { expect } from 'chai';
import { deviceDecider, type DeviceEvent } from '../../domain/device/device.js';
import { withheldFromCommands } from '../../domain/device/quarantine.js';
import { fold } from '../../domain/shared/decider.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(deviceDecider);
const udid = '00008030-00AA11BB22CC33DD';
const topic = 'com.apple.mgmt.External.5d1f0c2a-8b7e-4c3d-9a6f-1e2d3c4b5a69';
const facts = { serialNumber: 'F2LXK0XXHG7F' };
const cert = 'aa'.repeat(32);
const other = 'bb'.repeat(32);
const t = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 10, minutes)).toISOString();
const unlockToken = { sealed: 'sb1.sealed-unlock-token' as Sealed, fingerprint: 'f'.repeat(64) };

const started = (over: Record<string, unknown> = {}): DeviceEvent => ({ type: 'DeviceEnrollmentStarted', data: { udid, topic, certificateHash: cert, facts, reenrollment: false, startedAt: t(0), ...over } });
const enrolled: DeviceEvent = { type: 'DeviceEnrolled', data: { udid, topic, pushToken: 'ab01', pushMagic: 'm', unlockToken, enrolledAt: t(1) } };
const queued = (uuid: string): DeviceEvent => ({
  type: 'CommandQueued',
  data: { commandUuid: uuid, request: { requestType: 'ProfileList' }, priority: 50, queuedAt: t(2), expiresAt: t(59), queuedBy: 'admin:alice' },
} as DeviceEvent);
const authenticate = (over: Record<string, unknown> = {}) => ({ type: 'StartEnrollment' as const, udid, topic, certificateHash: other, facts, at: t(10), ...over });

describe('Device aggregate: an identity that ended without a CheckOut', () => {
  it('a wiped, revoked or expired identity lets the device enroll anew: leftovers cancelled, nothing of the old identity kept', () => {
    for (const ended of ['revoked', 'expired'] as const) {
      const history = [started(), enrolled, queued('a'), queued('b')];
      const endedIdentity = { certificateHash: cert, ended };
      const events = [
        { type: 'CommandCancelled', data: { commandUuid: 'a', reason: 'reenrolled', cancelledBy: 'device', cancelledAt: t(10) } },
        { type: 'CommandCancelled', data: { commandUuid: 'b', reason: 'reenrolled', cancelledBy: 'device', cancelledAt: t(10) } },
        started({ certificateHash: other, reenrollment: true, previousIdentity: endedIdentity, startedAt: t(10) }),
      ] as DeviceEvent[];
      spec.given(history).when(authenticate({ endedIdentity })).then(events);
      const state = fold(deviceDecider, [...history, ...events]);
      expect(state).to.include({ status: 'enrolling', certificateHash: other, enrollments: 2 });
      expect(state.queue.queue).to.deep.equal([]);
      // The next identity neither inherits the unlock token nor is pushed at the old token.
      expect(state).to.not.have.any.keys('push', 'unlockToken', 'unenrollmentRequestedAt');
    }
  });

  it('clears a pending unenrollment: the device left as it was asked to, and its new enrollment is decided anew', () => {
    const rejection: DeviceEvent[] = [
      { type: 'DeviceQuarantined', data: { udid, certificateHash: cert, quarantinedAt: t(0) } },
      enrolled,
      { type: 'DeviceRejected', data: { udid, certificateHash: cert, rejectedBy: 'admin:a', rejectedAt: t(3) } },
      { type: 'DeviceUnenrollmentRequested', data: { udid, reason: 'enrollment rejected', requestedBy: 'admin:a', requestedAt: t(3) } },
    ];
    const endedIdentity = { certificateHash: cert, ended: 'revoked' as const };
    const history = [started(), ...rejection];
    expect(fold(deviceDecider, history).unenrollmentRequestedAt).to.equal(t(3));
    const events = deviceDecider.decide(authenticate({ endedIdentity, quarantine: true, enrollment: { enrollmentId: 'e2' } }), fold(deviceDecider, history));
    expect(events.map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceQuarantined']);
    const state = fold(deviceDecider, [...history, ...events]);
    expect(state.unenrollmentRequestedAt).to.equal(undefined);
    expect(state.quarantine).to.include({ status: 'held', certificateHash: other });
    expect(state.enrollment).to.deep.equal({ enrollmentId: 'e2' });
    expect(withheldFromCommands(state)).to.equal(true);
  });

  it('an ended identity outweighs a renewal of it: the renewal of a revoked identity starts clean too', () => {
    const endedIdentity = { certificateHash: cert, ended: 'revoked' as const };
    spec.given([started(), enrolled]).when(authenticate({ endedIdentity, renewalOf: cert }))
      .then([started({ certificateHash: other, reenrollment: true, previousIdentity: endedIdentity, startedAt: t(10) })]);
  });

  it('a finding about another certificate than the bound one changes nothing: the takeover is refused', () => {
    // E.g. the device was rebound meanwhile, and the certificate found revoked is the one it replaced.
    spec.given([started(), enrolled]).when(authenticate({ endedIdentity: { certificateHash: 'cc'.repeat(32), ended: 'revoked' } })).thenThrows('rebind-refused');
    // The bound certificate itself presented again: nothing to do.
    spec.given([started(), enrolled]).when(authenticate({ certificateHash: cert, endedIdentity: { certificateHash: cert, ended: 'expired' }, at: t(10) })).thenNothing();
  });

  it('a checked-out device enrolls again as always (its identity ended at CheckOut)', () => {
    spec.given([started(), enrolled, { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t(5) } }]).when(authenticate({ endedIdentity: { certificateHash: cert, ended: 'revoked' } }))
      .then([started({ certificateHash: other, reenrollment: true, startedAt: t(10) })]);
  });
});
