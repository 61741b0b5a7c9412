import type { RecordedEvent } from '../application/ports/event-store.js';
import { RESULT_KINDS } from '../domain/device/queue/events.js';
import { text } from './event-values.js';
import { eventTime } from './projection.js';

/** The field of each device and membership event that says when it happened. */
const TIME_FIELDS: Readonly<Record<string, string>> = {
  DeviceEnrollmentStarted: 'startedAt',
  DeviceEnrolled: 'enrolledAt',
  PushTokenUpdated: 'updatedAt',
  DeviceCheckedOut: 'checkedOutAt',
  DeviceCertificateRebound: 'reboundAt',
  PushTokenInvalidated: 'invalidatedAt',
  DeviceUnenrollmentRequested: 'requestedAt',
  DeviceQuarantined: 'quarantinedAt',
  DeviceApproved: 'approvedAt',
  DeviceRejected: 'rejectedAt',
  CommandQueued: 'queuedAt',
  CommandDelivered: 'deliveredAt',
  CommandAcknowledged: 'acknowledgedAt',
  CommandFailed: 'failedAt',
  CommandDeferred: 'deferredAt',
  CommandExpired: 'expiredAt',
  CommandCancelled: 'cancelledAt',
  DeviceSeen: 'seenAt',
  DeviceGroupMemberAdded: 'addedAt',
  DeviceGroupMemberRemoved: 'removedAt',
  ...Object.fromEntries(RESULT_KINDS.map((kind) => [`${kind}Reported`, 'reportedAt'])),
};

/** When the event says it happened (its own time field), else eventTime: never the projection's clock. */
export function occurredAt(event: RecordedEvent): string {
  const field = TIME_FIELDS[event.type];
  const stated = field === undefined ? undefined : text((event.data as Record<string, unknown> | null)?.[field]);
  return stated ?? eventTime(event);
}
