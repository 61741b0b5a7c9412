import type { SealedSecret } from '../shared/sealed.js';
import type { DeviceFacts } from './device-facts.js';
import type { EndedIdentity } from './events.js';
import type { QueueCommandType } from './queue/commands.js';

/** From an Authenticate check-in: the device starts (or restarts) enrollment under a certificate. */
export interface StartEnrollment {
  readonly type: 'StartEnrollment';
  readonly udid: string;
  readonly topic: string;
  /** SHA-256 (hex) of the identity certificate the device authenticated with. */
  readonly certificateHash: string;
  /**
   * The certificate the presented one renews, as its issuance record says (a renewal challenge, or a
   * SCEP RenewalReq signed with it). Only a renewal of the certificate an enrolled device is bound to
   * may take its place.
   */
  readonly renewalOf?: string;
  /**
   * A certificate found to speak for its device no more although the device never checked out:
   * revoked (for another reason than its renewal) or expired. A device still bound to it enrolls
   * anew with the presented certificate.
   */
  readonly endedIdentity?: EndedIdentity;
  readonly facts: DeviceFacts;
  /** The enrollment the certificate was issued for, with the person and group it named. */
  readonly enrollment?: { readonly enrollmentId: string; readonly user?: string; readonly group?: string };
  /** This enrollment must wait for an admin's approval (decided once per certificate). */
  readonly quarantine?: boolean;
  readonly at: string;
}

/** From a TokenUpdate check-in: the push coordinates the device can be woken with. */
export interface RecordTokenUpdate {
  readonly type: 'RecordTokenUpdate';
  readonly udid: string;
  readonly topic: string;
  /** APNs device token, lower-case hex. */
  readonly pushToken: string;
  readonly pushMagic: string;
  /** Absent when the device did not send one: the stored one is kept. */
  readonly unlockToken?: SealedSecret;
  readonly at: string;
}

/** From a CheckOut check-in: the MDM profile was removed. */
export interface CheckOut {
  readonly type: 'CheckOut';
  readonly udid: string;
  readonly at: string;
}

/** APNs said the token is no longer valid (410). Only the token it was about is invalidated. */
export interface InvalidatePushToken {
  readonly type: 'InvalidatePushToken';
  readonly udid: string;
  readonly pushToken: string;
  readonly at: string;
}

/**
 * An admin decided this device must leave (e.g. a rejected device). From now on the device is
 * answered with Apple's "unrecognized device" error, which makes it unenroll itself.
 */
export interface RequestUnenrollment {
  readonly type: 'RequestUnenrollment';
  readonly udid: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly at: string;
}

/** An admin lets a quarantined device in. */
export interface ApproveDevice {
  readonly type: 'ApproveDevice';
  readonly udid: string;
  readonly approvedBy: string;
  readonly at: string;
}

/** An admin turns a quarantined device away: it is asked to unenroll as well. */
export interface RejectDevice {
  readonly type: 'RejectDevice';
  readonly udid: string;
  readonly rejectedBy: string;
  readonly reason?: string;
  readonly at: string;
}

export type EnrollmentCommand = StartEnrollment | RecordTokenUpdate | CheckOut | InvalidatePushToken | RequestUnenrollment | ApproveDevice | RejectDevice;
export type DeviceCommand = EnrollmentCommand | QueueCommandType;
