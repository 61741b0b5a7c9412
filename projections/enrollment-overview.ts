import type { RecordedEvent } from '../application/ports/event-store.js';
import type { DeviceEvent } from '../domain/device/device.js';
import type { EnrollmentEvent, EnrollmentMethod, QuarantineStatus } from '../domain/enrollment/enrollment.js';
import { eventTime, type Projection } from './projection.js';

export type EnrollmentStep = 'started' | 'device-attributes-received' | 'profile-served' | 'identity-issued' | 'device-authenticated';

/** One enrollment (or one device quarantined without an enrollment), as an admin's list shows it. */
export interface EnrollmentOverview {
  readonly enrollmentId?: string;
  readonly method?: EnrollmentMethod;
  readonly user?: string;
  readonly group?: string;
  readonly udid?: string;
  /** The furthest step reached. */
  readonly step: EnrollmentStep;
  readonly quarantine: QuarantineStatus;
  /** For a device without an enrollment: the certificate its quarantine is about. */
  readonly certificateHash?: string;
  readonly startedAt: string;
  readonly updatedAt: string;
}

const ENROLLMENT_TYPES = ['EnrollmentStarted', 'EnrollmentDeviceAttributesReceived', 'EnrollmentProfileServed', 'EnrollmentIdentityIssued', 'EnrollmentDeviceAuthenticated', 'EnrollmentQuarantined', 'EnrollmentApproved', 'EnrollmentRejected'];
const DEVICE_TYPES = ['DeviceEnrollmentStarted', 'DeviceQuarantined', 'DeviceApproved', 'DeviceRejected'];
const ORDER: readonly EnrollmentStep[] = ['started', 'device-attributes-received', 'profile-served', 'identity-issued', 'device-authenticated'];

const furthest = (a: EnrollmentStep, b: EnrollmentStep): EnrollmentStep => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a);
const at = eventTime;

function applyEnrollment(current: EnrollmentOverview | undefined, recorded: RecordedEvent): EnrollmentOverview | null {
  const e = { type: recorded.type, data: recorded.data } as EnrollmentEvent;
  if (e.type === 'EnrollmentStarted') {
    const { enrollmentId, method, user, group, startedAt } = e.data;
    return { enrollmentId, method, ...(user ? { user } : {}), ...(group ? { group } : {}), step: 'started', quarantine: 'none', startedAt, updatedAt: startedAt };
  }
  // Steps of an enrollment whose start is not in the store say too little to list.
  if (!current) return null;
  const updated = { ...current, updatedAt: at(recorded) };
  switch (e.type) {
    case 'EnrollmentDeviceAttributesReceived':
      return { ...updated, udid: e.data.attributes.udid, step: furthest(current.step, 'device-attributes-received') };
    case 'EnrollmentProfileServed':
      return { ...updated, step: furthest(current.step, 'profile-served') };
    case 'EnrollmentIdentityIssued':
      return { ...updated, step: furthest(current.step, 'identity-issued') };
    case 'EnrollmentDeviceAuthenticated':
      return { ...updated, udid: e.data.udid, step: 'device-authenticated' };
    case 'EnrollmentQuarantined':
      return { ...updated, quarantine: 'quarantined' };
    case 'EnrollmentApproved':
      return { ...updated, quarantine: 'approved' };
    case 'EnrollmentRejected':
      return { ...updated, quarantine: 'rejected' };
  }
}

/** Devices quarantined with no enrollment behind them (a static SCEP challenge, an imported certificate). */
function applyDevice(current: EnrollmentOverview | undefined, recorded: RecordedEvent): EnrollmentOverview | null {
  const e = { type: recorded.type, data: recorded.data } as DeviceEvent;
  switch (e.type) {
    case 'DeviceQuarantined':
      return { udid: e.data.udid, step: 'device-authenticated', quarantine: 'quarantined', certificateHash: e.data.certificateHash, startedAt: e.data.quarantinedAt, updatedAt: e.data.quarantinedAt };
    case 'DeviceApproved':
      return current ? { ...current, quarantine: 'approved', updatedAt: e.data.approvedAt } : null;
    case 'DeviceRejected':
      return current ? { ...current, quarantine: 'rejected', updatedAt: e.data.rejectedAt } : null;
    case 'DeviceEnrollmentStarted':
      // Another certificate is another enrollment: the old decision no longer concerns the device.
      return current && current.certificateHash !== e.data.certificateHash ? null : (current ?? null);
    default:
      return current ?? null;
  }
}

/**
 * Enrollments and their furthest step and quarantine status, keyed by enrollment id; devices
 * quarantined without an enrollment are keyed `device:<UDID>`. Device events about enrollments
 * are left to the enrollment's own stream, which holds the same decision.
 */
export const enrollmentOverview: Projection<EnrollmentOverview> = {
  name: 'enrollment-overview',
  version: 1,
  handles: new Set([...ENROLLMENT_TYPES, ...DEVICE_TYPES]),
  documentId(event) {
    const data = event.data as { enrollmentId?: unknown; udid?: unknown } | null;
    if (ENROLLMENT_TYPES.includes(event.type)) return typeof data?.enrollmentId === 'string' ? data.enrollmentId : undefined;
    if (typeof data?.udid !== 'string' || (data.enrollmentId !== undefined && event.type !== 'DeviceEnrollmentStarted')) return undefined;
    return `device:${data.udid}`;
  },
  apply(current, event) {
    return ENROLLMENT_TYPES.includes(event.type) ? applyEnrollment(current, event) : applyDevice(current, event);
  },
};
