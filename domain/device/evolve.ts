import type { DeviceEvent } from './events.js';
import { evolveQueue } from './queue/evolve-queue.js';
import type { DeviceState } from './state.js';

export function evolve(state: DeviceState, event: DeviceEvent): DeviceState {
  switch (event.type) {
    case 'DeviceEnrollmentStarted': {
      // Push coordinates stay until the next TokenUpdate replaces them, but the device is not
      // pushable while it enrolls: status says so.
      const { enrollment: _enrollment, quarantine: _quarantine, ...kept } = state;
      // After an identity that ended without a CheckOut, nothing of it carries over (as at CheckOut).
      const rest = event.data.previousIdentity ? withoutIdentity(kept) : kept;
      const sameCertificate = state.certificateHash === event.data.certificateHash;
      const { enrollmentId, user, group } = event.data;
      // A new certificate is a new enrollment: who it belongs to and its quarantine are decided anew.
      const enrollment = enrollmentId ? { enrollmentId, ...(user ? { user } : {}), ...(group ? { group } : {}) } : sameCertificate ? state.enrollment : undefined;
      const quarantine = state.quarantine?.certificateHash === event.data.certificateHash ? state.quarantine : undefined;
      return {
        ...rest,
        ...(enrollment ? { enrollment } : {}),
        ...(quarantine ? { quarantine } : {}),
        status: 'enrolling',
        udid: event.data.udid,
        topic: event.data.topic,
        certificateHash: event.data.certificateHash,
        facts: event.data.facts,
        enrollments: state.enrollments + 1,
      };
    }
    case 'DeviceCertificateRebound':
      // The renewed identity carries the admin's decision about the one it replaces.
      return {
        ...state,
        certificateHash: event.data.certificateHash,
        facts: event.data.facts,
        ...(state.quarantine ? { quarantine: { ...state.quarantine, certificateHash: event.data.certificateHash } } : {}),
      };
    case 'DeviceQuarantined':
      return {
        ...state,
        quarantine: { status: 'held', certificateHash: event.data.certificateHash, ...(event.data.enrollmentId ? { enrollmentId: event.data.enrollmentId } : {}), since: event.data.quarantinedAt },
      };
    case 'DeviceApproved':
      return state.quarantine ? { ...state, quarantine: { ...state.quarantine, status: 'approved', since: event.data.approvedAt } } : state;
    case 'DeviceRejected':
      return state.quarantine ? { ...state, quarantine: { ...state.quarantine, status: 'rejected', since: event.data.rejectedAt } } : state;
    case 'DeviceEnrolled': {
      const { pushTokenInvalidatedAt: _cleared, ...rest } = state;
      return {
        ...rest,
        status: 'enrolled',
        push: { topic: event.data.topic, pushToken: event.data.pushToken, pushMagic: event.data.pushMagic },
        ...(event.data.unlockToken ? { unlockToken: event.data.unlockToken } : {}),
        enrolledAt: event.data.enrolledAt,
      };
    }
    case 'PushTokenUpdated': {
      const { pushTokenInvalidatedAt: _cleared, ...rest } = state;
      return {
        ...rest,
        push: { topic: event.data.topic, pushToken: event.data.pushToken, pushMagic: event.data.pushMagic },
        ...(event.data.unlockToken ? { unlockToken: event.data.unlockToken } : {}),
      };
    }
    case 'PushTokenInvalidated':
      return { ...state, pushTokenInvalidatedAt: event.data.invalidatedAt };
    case 'DeviceUnenrollmentRequested':
      return { ...state, unenrollmentRequestedAt: event.data.requestedAt };
    case 'DeviceCheckedOut':
      return { ...withoutIdentity(state), status: 'checked-out' };
    default:
      // Everything else is a queue event (the type narrows to QueueEvent, whose evolve is exhaustive).
      return { ...state, queue: evolveQueue(state.queue, event) };
  }
}

/** Forgets what belonged to the device's identity: its push coordinates, unlock token and a pending unenrollment. */
function withoutIdentity<S extends Partial<DeviceState>>(state: S): Omit<S, 'push' | 'unlockToken' | 'pushTokenInvalidatedAt' | 'unenrollmentRequestedAt'> {
  const { push: _push, unlockToken: _unlock, pushTokenInvalidatedAt: _invalid, unenrollmentRequestedAt: _leaving, ...rest } = state;
  return rest;
}
