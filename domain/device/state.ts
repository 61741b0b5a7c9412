import type { SealedSecret } from '../shared/sealed.js';
import type { DeviceFacts } from './device-facts.js';
import type { PushCoordinates } from './events.js';
import { initialQueueState, type QueueState } from './queue/queue-state.js';

export type EnrollmentStatus =
  /** No event yet: the stream does not exist. */
  | 'unknown'
  /** Authenticate received; waiting for the first TokenUpdate. Not pushable. */
  | 'enrolling'
  /** TokenUpdate received: pushable, works through its command queue. */
  | 'enrolled'
  /** CheckOut received: the MDM profile is gone. */
  | 'checked-out';

/** Where a device stands with the admin's approval of its enrollment. */
export interface QuarantineState {
  readonly status: 'held' | 'approved' | 'rejected';
  /** The certificate the decision is about: a new enrollment (new certificate) is decided anew. */
  readonly certificateHash: string;
  readonly enrollmentId?: string;
  readonly since: string;
}

/** The enrollment the device came through, and who it belongs to. */
export interface DeviceEnrollment {
  readonly enrollmentId: string;
  readonly user?: string;
  readonly group?: string;
}

export interface DeviceState {
  readonly status: EnrollmentStatus;
  readonly udid?: string;
  /** The MDM push topic the device enrolled under. */
  readonly topic?: string;
  readonly certificateHash?: string;
  readonly facts?: DeviceFacts;
  readonly push?: PushCoordinates;
  readonly unlockToken?: SealedSecret;
  readonly enrolledAt?: string;
  /** How many times the device has started enrollment, for history and re-enrollment rules. */
  readonly enrollments: number;
  /** Set when APNs reported the current push token unregistered; cleared by a new token. */
  readonly pushTokenInvalidatedAt?: string;
  /** Set when an admin asked for this device to be unenrolled; cleared when it checks out. */
  readonly unenrollmentRequestedAt?: string;
  /** Absent for devices enrolled with a certificate of no enrollment (static challenge, imported). */
  readonly enrollment?: DeviceEnrollment;
  /** Absent when no quarantine was ever asked of the device's current enrollment. */
  readonly quarantine?: QuarantineState;
  readonly queue: QueueState;
}

export const initialDeviceState = (): DeviceState => ({ status: 'unknown', enrollments: 0, queue: initialQueueState() });
