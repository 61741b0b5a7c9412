import { assertNever } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import type { CheckOut, DeviceCommand, InvalidatePushToken, RecordTokenUpdate, RequestUnenrollment, StartEnrollment } from './commands.js';
import { approveDevice, quarantineOnStart, rejectDevice } from './quarantine.js';
import { sameFacts } from './device-facts.js';
import type { DeviceEvent, EndedIdentity } from './events.js';
import { cancelAll, decideQueue } from './queue/decide-queue.js';
import type { DeviceState } from './state.js';

/**
 * Authenticate. An unknown or checked-out device starts a (re-)enrollment. A known device presenting
 * a renewal of its certificate (identity renewal through a reinstalled enrollment profile, or a
 * SCEP RenewalReq) is rebound and keeps its enrollment, queue and inventory. A device whose
 * identity ended without a CheckOut (wiped, revoked, expired) enrolls anew from a clean slate.
 * Repeating what is already known records nothing.
 */
function startEnrollment(c: StartEnrollment, s: DeviceState): DeviceEvent[] {
  const known = s.status === 'enrolled' || s.status === 'enrolling';
  if (known && s.certificateHash === c.certificateHash && s.topic === c.topic && sameFacts(s.facts, c.facts)) return [];
  const bound = s.certificateHash;
  const replacing = known && bound !== undefined && bound !== c.certificateHash;
  // The application looked at the certificate the device was bound to when it loaded the state; a
  // finding about another one (the binding moved meanwhile) says nothing about this device.
  const ended = replacing && c.endedIdentity?.certificateHash === bound ? c.endedIdentity : undefined;
  if (ended) return [...cancelAll(s.queue, c.at, 'reenrolled', 'device'), ...enrollmentStarted(c, s, ended)];
  if (replacing && s.status === 'enrolled') {
    // Any certificate from our CA (the static SCEP challenge takes any subject) could otherwise
    // claim an enrolled device, its queue and its unlock token.
    if (c.renewalOf !== bound) throw new DomainError('rebind-refused', `device ${c.udid} is enrolled under another certificate, and this one does not renew it`);
    if (s.topic !== c.topic) throw new DomainError('rebind-refused', `device ${c.udid} is enrolled under topic ${s.topic}`);
    return [{ type: 'DeviceCertificateRebound', data: { udid: c.udid, previousCertificateHash: bound, certificateHash: c.certificateHash, facts: c.facts, reboundAt: c.at } }];
  }
  if (s.status === 'enrolled' && s.certificateHash === c.certificateHash && s.topic === c.topic) return [];
  return enrollmentStarted(c, s);
}

function enrollmentStarted(c: StartEnrollment, s: DeviceState, previousIdentity?: EndedIdentity): DeviceEvent[] {
  const enrollment = c.enrollment ? { enrollmentId: c.enrollment.enrollmentId, ...(c.enrollment.user ? { user: c.enrollment.user } : {}), ...(c.enrollment.group ? { group: c.enrollment.group } : {}) } : {};
  return [
    {
      type: 'DeviceEnrollmentStarted',
      data: {
        udid: c.udid, topic: c.topic, certificateHash: c.certificateHash, facts: c.facts, reenrollment: s.enrollments > 0, ...enrollment,
        ...(previousIdentity ? { previousIdentity: { certificateHash: previousIdentity.certificateHash, ended: previousIdentity.ended } } : {}),
        startedAt: c.at,
      },
    },
    ...quarantineOnStart(c, s),
  ];
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
        && (c.unlockToken === undefined || c.unlockToken.fingerprint === s.unlockToken?.fingerprint) && s.pushTokenInvalidatedAt === undefined;
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
      return [...cancelAll(s.queue, c.at, 'checked-out', 'device'), { type: 'DeviceCheckedOut', data: { udid: c.udid, checkedOutAt: c.at } }];
    default:
      return assertNever(s.status);
  }
}

function invalidatePushToken(c: InvalidatePushToken, s: DeviceState): DeviceEvent[] {
  // A 410 for a token the device has since replaced says nothing about the current one.
  if (s.push?.pushToken !== c.pushToken || s.pushTokenInvalidatedAt !== undefined) return [];
  return [{ type: 'PushTokenInvalidated', data: { udid: c.udid, pushToken: c.pushToken, invalidatedAt: c.at } }];
}

function requestUnenrollment(c: RequestUnenrollment, s: DeviceState): DeviceEvent[] {
  if (s.status === 'unknown' || s.status === 'checked-out') throw new DomainError('not-enrolled', `device ${c.udid} is not enrolled (${s.status})`);
  if (s.unenrollmentRequestedAt !== undefined) return [];
  return [
    ...cancelAll(s.queue, c.at, 'unenrolled', c.requestedBy),
    { type: 'DeviceUnenrollmentRequested', data: { udid: c.udid, reason: c.reason, requestedBy: c.requestedBy, requestedAt: c.at } },
  ];
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
    case 'InvalidatePushToken':
      return invalidatePushToken(command, state);
    case 'RequestUnenrollment':
      return requestUnenrollment(command, state);
    case 'ApproveDevice':
      return approveDevice(command, state);
    case 'RejectDevice':
      return rejectDevice(command, state);
    case 'QueueCommand':
    case 'CancelCommand':
    case 'RequestNextCommand':
    case 'RecordReport':
    case 'FailUndeliverable':
      return decideQueue(command, state.queue, state.status, state.unenrollmentRequestedAt !== undefined);
    default:
      return assertNever(command);
  }
}
