import { expect } from 'chai';
import { deviceDecider, type DeviceEvent } from '../../domain/device/device.js';
import { fold } from '../../domain/shared/decider.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(deviceDecider);
const udid = '00008030-001A2B3C4D5E6F70';
const topic = 'com.apple.mgmt.External.8a6c1a7c-3f0e-4d59-9f7a-2d2c7f1b9e10';
const facts = { serialNumber: 'F2LXK0XXHG7F', model: 'iPhone14,5', osVersion: '17.4', productName: 'iPhone14,5' };
const t0 = '2026-11-01T10:00:00.000Z';
const t1 = '2026-11-01T10:00:05.000Z';
const t2 = '2026-11-02T08:00:00.000Z';

const started = (over: Partial<Extract<DeviceEvent, { type: 'DeviceEnrollmentStarted' }>['data']> = {}): DeviceEvent => ({
  type: 'DeviceEnrollmentStarted',
  data: { udid, topic, certificateHash: 'aa'.repeat(32), facts, reenrollment: false, startedAt: t0, ...over },
});
const enrolled = (over: Partial<Extract<DeviceEvent, { type: 'DeviceEnrolled' }>['data']> = {}): DeviceEvent => ({
  type: 'DeviceEnrolled',
  data: { udid, topic, pushToken: 'ab01', pushMagic: 'magic-1', enrolledAt: t1, ...over },
});
const checkedOut: DeviceEvent = { type: 'DeviceCheckedOut', data: { udid, checkedOutAt: t2 } };

const authenticate = (over: Record<string, unknown> = {}) => ({ type: 'StartEnrollment' as const, udid, topic, certificateHash: 'aa'.repeat(32), facts, at: t0, ...over });
const tokenUpdate = (over: Record<string, unknown> = {}) => ({ type: 'RecordTokenUpdate' as const, udid, topic, pushToken: 'ab01', pushMagic: 'magic-1', at: t1, ...over });

describe('Device aggregate', () => {
  describe('StartEnrollment (Authenticate)', () => {
    it('given no history, when a device authenticates, then enrollment starts', () => {
      spec.given([]).when(authenticate()).then([started()]);
    });

    it('given an enrollment in progress, when the same Authenticate repeats, then nothing is recorded', () => {
      spec.given([started()]).when(authenticate({ at: t1 })).thenNothing();
    });

    it('given an enrollment in progress, when the device presents another certificate, then enrollment restarts', () => {
      spec.given([started()]).when(authenticate({ certificateHash: 'bb'.repeat(32), at: t1 }))
        .then([started({ certificateHash: 'bb'.repeat(32), reenrollment: true, startedAt: t1 })]);
    });

    it('given a checked-out device, when it authenticates again, then a re-enrollment starts', () => {
      spec.given([started(), enrolled(), checkedOut]).when(authenticate({ at: t2 }))
        .then([started({ reenrollment: true, startedAt: t2 })]);
    });

    it('refuses a command addressed to another device\'s stream', () => {
      spec.given([started()]).when(authenticate({ udid: 'OTHER' })).thenThrows('udid-mismatch');
    });
  });

  describe('RecordTokenUpdate (TokenUpdate)', () => {
    it('given an enrollment in progress, when the first TokenUpdate arrives, then the device is enrolled', () => {
      const unlockToken = { sealed: 'sb1.0000.sealed' as Sealed, fingerprint: 'fp1.0000.aaaa' };
      spec.given([started()]).when(tokenUpdate({ unlockToken })).then([enrolled({ unlockToken })]);
    });

    it('given an enrolled device, when the push token changes, then the new token is recorded', () => {
      spec.given([started(), enrolled()]).when(tokenUpdate({ pushToken: 'cd02', at: t2 }))
        .then([{ type: 'PushTokenUpdated', data: { udid, topic, pushToken: 'cd02', pushMagic: 'magic-1', updatedAt: t2 } }]);
    });

    it('given an enrolled device, when an identical TokenUpdate repeats, then nothing is recorded', () => {
      spec.given([started(), enrolled()]).when(tokenUpdate({ at: t2 })).thenNothing();
    });

    it('compares unlock tokens by fingerprint: the same token sealed anew records nothing, a new one is recorded', () => {
      const first = { sealed: 'sb1.0000.first-sealing' as Sealed, fingerprint: 'fp1.0000.same' };
      const resealed = { sealed: 'sb1.0000.second-sealing' as Sealed, fingerprint: 'fp1.0000.same' };
      const rotated = { sealed: 'sb1.0000.third-sealing' as Sealed, fingerprint: 'fp1.0000.other' };
      spec.given([started(), enrolled({ unlockToken: first })]).when(tokenUpdate({ unlockToken: resealed, at: t2 })).thenNothing();
      spec.given([started(), enrolled({ unlockToken: first })]).when(tokenUpdate({ unlockToken: rotated, at: t2 }))
        .then([{ type: 'PushTokenUpdated', data: { udid, topic, pushToken: 'ab01', pushMagic: 'magic-1', unlockToken: rotated, updatedAt: t2 } }]);
    });

    it('given no Authenticate, when a TokenUpdate arrives, then it is refused', () => {
      spec.given([]).when(tokenUpdate()).thenThrows('not-enrolling');
    });

    it('given a checked-out device, when a TokenUpdate arrives, then it is refused', () => {
      spec.given([started(), enrolled(), checkedOut]).when(tokenUpdate({ at: t2 })).thenThrows('not-enrolling');
    });
  });

  describe('CheckOut', () => {
    it('given an enrolled device, when it checks out, then it is checked out', () => {
      spec.given([started(), enrolled()]).when({ type: 'CheckOut', udid, at: t2 }).then([checkedOut]);
    });

    it('given a checked-out device, when CheckOut repeats, then nothing is recorded', () => {
      spec.given([started(), enrolled(), checkedOut]).when({ type: 'CheckOut', udid, at: t2 }).thenNothing();
    });

    it('given an unknown device, when it checks out, then it is refused', () => {
      spec.given([]).when({ type: 'CheckOut', udid, at: t2 }).thenThrows('unknown-device');
    });
  });

  describe('evolve', () => {
    it('keeps the unlock token when a later TokenUpdate has none, and forgets push coordinates at CheckOut', () => {
      const unlockToken = { sealed: 'sb1.0000.sealed' as Sealed, fingerprint: 'fp1.0000.aaaa' };
      const afterUpdate = fold(deviceDecider, [started(), enrolled({ unlockToken }),
        { type: 'PushTokenUpdated', data: { udid, topic, pushToken: 'ff', pushMagic: 'm2', updatedAt: t2 } }]);
      expect(afterUpdate).to.include({ status: 'enrolled', unlockToken, enrollments: 1 });
      expect(afterUpdate.push).to.deep.equal({ topic, pushToken: 'ff', pushMagic: 'm2' });
      const afterCheckOut = fold(deviceDecider, [started(), enrolled({ unlockToken }), checkedOut]);
      expect(afterCheckOut.status).to.equal('checked-out');
      expect(afterCheckOut.push).to.equal(undefined);
      expect(afterCheckOut.unlockToken).to.equal(undefined);
    });
  });
});
