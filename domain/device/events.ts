import type { Sealed } from '../shared/sealed.js';
import type { DeviceFacts } from './device-facts.js';

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
    readonly unlockToken?: Sealed;
    readonly enrolledAt: string;
  };
};

export type PushTokenUpdated = {
  readonly type: 'PushTokenUpdated';
  readonly data: PushCoordinates & {
    readonly udid: string;
    readonly unlockToken?: Sealed;
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

export type DeviceEvent = DeviceEnrollmentStarted | DeviceEnrolled | PushTokenUpdated | DeviceCheckedOut;
export type DeviceEventType = DeviceEvent['type'];

export const DEVICE_EVENT_TYPES: readonly DeviceEventType[] = ['DeviceEnrollmentStarted', 'DeviceEnrolled', 'PushTokenUpdated', 'DeviceCheckedOut'];
