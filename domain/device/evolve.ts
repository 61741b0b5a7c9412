import { assertNever } from '../shared/decider.js';
import type { DeviceEvent } from './events.js';
import type { DeviceState } from './state.js';

export function evolve(state: DeviceState, event: DeviceEvent): DeviceState {
  switch (event.type) {
    case 'DeviceEnrollmentStarted':
      // Push coordinates stay until the next TokenUpdate replaces them, but the device is not
      // pushable while it re-enrolls: status says so.
      return {
        ...state,
        status: 'enrolling',
        udid: event.data.udid,
        topic: event.data.topic,
        certificateHash: event.data.certificateHash,
        facts: event.data.facts,
        enrollments: state.enrollments + 1,
      };
    case 'DeviceEnrolled':
      return {
        ...state,
        status: 'enrolled',
        push: { topic: event.data.topic, pushToken: event.data.pushToken, pushMagic: event.data.pushMagic },
        ...(event.data.unlockToken ? { unlockToken: event.data.unlockToken } : {}),
        enrolledAt: event.data.enrolledAt,
      };
    case 'PushTokenUpdated':
      return {
        ...state,
        push: { topic: event.data.topic, pushToken: event.data.pushToken, pushMagic: event.data.pushMagic },
        ...(event.data.unlockToken ? { unlockToken: event.data.unlockToken } : {}),
      };
    case 'DeviceCheckedOut': {
      const { push: _push, unlockToken: _unlock, ...rest } = state;
      return { ...rest, status: 'checked-out' };
    }
    default:
      return assertNever(event);
  }
}
