import { DomainError } from '../shared/domain-error.js';
import type { ApproveDevice, RejectDevice, StartEnrollment } from './commands.js';
import type { DeviceEvent, DeviceQuarantined } from './events.js';
import { cancelAll } from './queue/decide-queue.js';
import type { DeviceState } from './state.js';

/** Held for an admin: the device is not pushed. */
export function awaitingApproval(state: DeviceState): boolean {
  return state.quarantine?.status === 'held';
}

/** Not handed commands: held for an admin, or turned away by one. */
export function withheldFromCommands(state: DeviceState): boolean {
  return state.quarantine !== undefined && state.quarantine.status !== 'approved';
}

/**
 * Quarantine is decided once per certificate, when the device starts enrolling with it: repeating
 * Authenticate neither holds an approved device again nor records a second hold.
 */
export function quarantineOnStart(c: StartEnrollment, s: DeviceState): DeviceQuarantined[] {
  if (c.quarantine !== true || s.quarantine?.certificateHash === c.certificateHash) return [];
  return [{ type: 'DeviceQuarantined', data: { udid: c.udid, certificateHash: c.certificateHash, ...(c.enrollment ? { enrollmentId: c.enrollment.enrollmentId } : {}), quarantinedAt: c.at } }];
}

export function approveDevice(c: ApproveDevice, s: DeviceState): DeviceEvent[] {
  if (s.status === 'unknown') throw new DomainError('unknown-device', `device ${c.udid} is not known`);
  const q = s.quarantine;
  switch (q?.status) {
    case 'approved':
      return [];
    case 'held':
      return [{ type: 'DeviceApproved', data: { udid: c.udid, ...(q.enrollmentId ? { enrollmentId: q.enrollmentId } : {}), approvedBy: c.approvedBy, approvedAt: c.at } }];
    case 'rejected':
      throw new DomainError('not-quarantined', `device ${c.udid} was rejected; it must enroll again to be considered`);
    default:
      throw new DomainError('not-quarantined', `device ${c.udid} is not quarantined`);
  }
}

export function rejectDevice(c: RejectDevice, s: DeviceState): DeviceEvent[] {
  if (s.status === 'unknown') throw new DomainError('unknown-device', `device ${c.udid} is not known`);
  const q = s.quarantine;
  switch (q?.status) {
    case 'rejected':
      return [];
    case 'held': {
      const rejected: DeviceEvent = {
        type: 'DeviceRejected',
        data: { udid: c.udid, certificateHash: q.certificateHash, ...(q.enrollmentId ? { enrollmentId: q.enrollmentId } : {}), rejectedBy: c.rejectedBy, ...(c.reason ? { reason: c.reason } : {}), rejectedAt: c.at },
      };
      // A device that already left has nothing to be told; any other is told to unenroll.
      if (s.status === 'checked-out' || s.unenrollmentRequestedAt !== undefined) return [rejected];
      return [
        rejected,
        ...cancelAll(s.queue, c.at, 'unenrolled', c.rejectedBy),
        { type: 'DeviceUnenrollmentRequested', data: { udid: c.udid, reason: `enrollment rejected${c.reason ? `: ${c.reason}` : ''}`, requestedBy: c.rejectedBy, requestedAt: c.at } },
      ];
    }
    case 'approved':
      throw new DomainError('not-quarantined', `device ${c.udid} was approved; unenroll it instead`);
    default:
      throw new DomainError('not-quarantined', `device ${c.udid} is not quarantined`);
  }
}
