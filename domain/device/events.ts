import type { SealedSecret } from '../shared/sealed.js';
import type { DeviceFacts } from './device-facts.js';
import type { QueueEvent } from './queue/events.js';

export interface PushCoordinates {
  readonly topic: string;
  readonly pushToken: string;
  readonly pushMagic: string;
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

export type EnrollmentEvent = DeviceEnrollmentStarted | DeviceEnrolled | PushTokenUpdated | DeviceCheckedOut | DeviceCertificateRebound | PushTokenInvalidated | DeviceUnenrollmentRequested;
export type DeviceEvent = EnrollmentEvent | QueueEvent;
export type DeviceEventType = DeviceEvent['type'];
