import type { SealedSecret } from '../shared/sealed.js';
import type { DeviceFacts } from './device-facts.js';
import type { QueueEvent } from './queue/events.js';

export interface PushCoordinates {
  readonly topic: string;
  readonly pushToken: string;
  readonly pushMagic: string;
}

/** How a device's identity ended without a CheckOut. */
export interface EndedIdentity {
  readonly certificateHash: string;
  readonly ended: 'revoked' | 'expired';
}

export type DeviceEnrollmentStarted = {
  readonly type: 'DeviceEnrollmentStarted';
  readonly data: {
    readonly udid: string;
    readonly topic: string;
    readonly certificateHash: string;
    readonly facts: DeviceFacts;
    /** True when the device had been enrolled or checked out before. */
    readonly reenrollment: boolean;
    /** The enrollment its certificate was issued for (absent for other certificates, and in older events). */
    readonly enrollmentId?: string;
    /** The person the enrollment named: the UDID ↔ user record on the device. */
    readonly user?: string;
    readonly group?: string;
    /**
     * The identity the device held until now ended without a CheckOut (its certificate was revoked,
     * or expired): the new enrollment starts clean, as after a CheckOut.
     */
    readonly previousIdentity?: EndedIdentity;
    readonly startedAt: string;
  };
};

export type DeviceEnrolled = {
  readonly type: 'DeviceEnrolled';
  readonly data: PushCoordinates & {
    readonly udid: string;
    readonly unlockToken?: SealedSecret;
    readonly enrolledAt: string;
  };
};

export type PushTokenUpdated = {
  readonly type: 'PushTokenUpdated';
  readonly data: PushCoordinates & {
    readonly udid: string;
    readonly unlockToken?: SealedSecret;
    readonly updatedAt: string;
  };
};

export type DeviceCheckedOut = {
  readonly type: 'DeviceCheckedOut';
  readonly data: {
    readonly udid: string;
    readonly checkedOutAt: string;
  };
};

/**
 * Identity renewal: a known, enrolled device authenticated with a new certificate from our CA. The
 * enrollment, queue and inventory stay; only the binding moves to the new certificate.
 */
export type DeviceCertificateRebound = {
  readonly type: 'DeviceCertificateRebound';
  readonly data: { readonly udid: string; readonly previousCertificateHash: string; readonly certificateHash: string; readonly facts: DeviceFacts; readonly reboundAt: string };
};

/** APNs answered 410 Unregistered for this token: the device cannot be woken until a new TokenUpdate. */
export type PushTokenInvalidated = {
  readonly type: 'PushTokenInvalidated';
  readonly data: { readonly udid: string; readonly pushToken: string; readonly invalidatedAt: string };
};

/** The device is to be told it is not recognised (and so unenroll) at its next request. */
export type DeviceUnenrollmentRequested = {
  readonly type: 'DeviceUnenrollmentRequested';
  readonly data: { readonly udid: string; readonly reason: string; readonly requestedBy: string; readonly requestedAt: string };
};

/**
 * The enrollment under this certificate waits for an admin: the device may check in, but it is
 * handed no commands and is not pushed until DeviceApproved.
 */
export type DeviceQuarantined = {
  readonly type: 'DeviceQuarantined';
  readonly data: { readonly udid: string; readonly certificateHash: string; readonly enrollmentId?: string; readonly quarantinedAt: string };
};

/** An admin let the quarantined device in: commands and pushes flow from now on. */
export type DeviceApproved = {
  readonly type: 'DeviceApproved';
  readonly data: { readonly udid: string; readonly enrollmentId?: string; readonly approvedBy: string; readonly approvedAt: string };
};

/** An admin turned the quarantined device away (it is also asked to unenroll). */
export type DeviceRejected = {
  readonly type: 'DeviceRejected';
  readonly data: { readonly udid: string; readonly certificateHash: string; readonly enrollmentId?: string; readonly rejectedBy: string; readonly reason?: string; readonly rejectedAt: string };
};

export type QuarantineEvent = DeviceQuarantined | DeviceApproved | DeviceRejected;

export type EnrollmentEvent = DeviceEnrollmentStarted | DeviceEnrolled | PushTokenUpdated | DeviceCheckedOut | DeviceCertificateRebound | PushTokenInvalidated | DeviceUnenrollmentRequested | QuarantineEvent;
export type DeviceEvent = EnrollmentEvent | QueueEvent;
export type DeviceEventType = DeviceEvent['type'];
