import { assertNever } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import type { CheckOut, DeviceCommand, RecordTokenUpdate, StartEnrollment } from './commands.js';
import { sameFacts } from './device-facts.js';
import type { DeviceEvent } from './events.js';
import type { DeviceState } from './state.js';

function startEnrollment(c: StartEnrollment, s: DeviceState): DeviceEvent[] {
  // A device repeating Authenticate with nothing new must not grow its stream.
  if (s.status === 'enrolling' && s.certificateHash === c.certificateHash && s.topic === c.topic && sameFacts(s.facts, c.facts)) return [];
  return [{
    type: 'DeviceEnrollmentStarted',
    data: { udid: c.udid, topic: c.topic, certificateHash: c.certificateHash, facts: c.facts, reenrollment: s.enrollments > 0, startedAt: c.at },
  }];
}

function recordTokenUpdate(c: RecordTokenUpdate, s: DeviceState): DeviceEvent[] {
  const coordinates = { topic: c.topic, pushToken: c.pushToken, pushMagic: c.pushMagic };
  const unlock = c.unlockToken ? { unlockToken: c.unlockToken } : {};
  switch (s.status) {
    case 'unknown':
    case 'checked-out':
      throw new DomainError('not-enrolling', `device ${c.udid} sent TokenUpdate without a preceding Authenticate`);
    case 'enrolling':
      return [{ type: 'DeviceEnrolled', data: { udid: c.udid, ...coordinates, ...unlock, enrolledAt: c.at } }];
    case 'enrolled': {
      const unchanged = s.push?.pushToken === c.pushToken && s.push.pushMagic === c.pushMagic && s.push.topic === c.topic
        && (c.unlockToken === undefined || c.unlockToken === s.unlockToken);
      return unchanged ? [] : [{ type: 'PushTokenUpdated', data: { udid: c.udid, ...coordinates, ...unlock, updatedAt: c.at } }];
    }
    default:
      return assertNever(s.status);
  }
}

function checkOut(c: CheckOut, s: DeviceState): DeviceEvent[] {
  switch (s.status) {
    case 'unknown':
      throw new DomainError('unknown-device', `device ${c.udid} is not known`);
    case 'checked-out':
      return [];
    case 'enrolling':
    case 'enrolled':
      return [{ type: 'DeviceCheckedOut', data: { udid: c.udid, checkedOutAt: c.at } }];
    default:
      return assertNever(s.status);
  }
}

export function decide(command: DeviceCommand, state: DeviceState): DeviceEvent[] {
  if (state.udid !== undefined && state.udid !== command.udid) {
    throw new DomainError('udid-mismatch', `command for ${command.udid} sent to the stream of ${state.udid}`);
  }
  switch (command.type) {
    case 'StartEnrollment':
      return startEnrollment(command, state);
    case 'RecordTokenUpdate':
      return recordTokenUpdate(command, state);
    case 'CheckOut':
      return checkOut(command, state);
    default:
      return assertNever(command);
  }
}
