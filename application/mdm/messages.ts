import type { DeviceFacts } from '../../domain/device/device-facts.js';

/** Check-in messages as the device endpoint parsed them (Apple's MessageType values). */
export type CheckInMessage =
  | { readonly messageType: 'Authenticate'; readonly udid: string; readonly topic: string; readonly facts: DeviceFacts }
  | {
      readonly messageType: 'TokenUpdate';
      readonly udid: string;
      readonly topic: string;
      readonly token: Buffer;
      readonly pushMagic: string;
      readonly unlockToken?: Buffer;
      readonly awaitingConfiguration?: boolean;
    }
  | { readonly messageType: 'CheckOut'; readonly udid: string; readonly topic: string }
  /** Messages this server answers with an explicit "not supported". */
  | { readonly messageType: 'UserAuthenticate' | 'DeclarativeManagement' | 'GetBootstrapToken' | 'SetBootstrapToken' | 'GetToken'; readonly udid: string };

export const UNSUPPORTED_MESSAGE_TYPES = ['UserAuthenticate', 'DeclarativeManagement', 'GetBootstrapToken', 'SetBootstrapToken', 'GetToken'] as const;

/** Status values of a command report (the ServerURL side). */
export type ReportStatus = 'Idle' | 'Acknowledged' | 'Error' | 'CommandFormatError' | 'NotNow';

/** The identity the device endpoint established for the request (mTLS, Mdm-Signature or proxy). */
export interface PresentedIdentity {
  readonly certificateHash: string;
  readonly remoteAddress: string;
  /** The certificate's subject common name, if any. */
  readonly subjectCommonName?: string;
  /** Lower-case hex and ISO-8601, from the certificate: recorded when it is bound to a device. */
  readonly serialNumber?: string;
  readonly notAfter?: string;
}

/** A certificate that stopped speaking for its device: the device left, was wiped, or renewed it. */
export interface ReleasedCertificate {
  readonly udid: string;
  readonly certificateHash: string;
  readonly reason: 'checked-out' | 'superseded' | 'wiped';
}

/** What the endpoint answers. `refused` is always 403 with an empty body: never 401. */
export type DeviceAnswer =
  | { readonly kind: 'ok' }
  | { readonly kind: 'refused'; readonly reason: IdentityRefusal }
  | { readonly kind: 'not-supported' }
  /** An admin asked for this device to leave: answered with Apple's "unrecognized device" error. */
  | { readonly kind: 'unenroll' }
  | { readonly kind: 'rejected'; readonly detail: string };

export type IdentityRefusal = 'udid-mismatch' | 'certificate-bound-elsewhere' | 'certificate-retired' | 'rebind-refused' | 'unknown-device' | 'not-enrolled'
  /** The certificate's enrollment belongs to another device, or an admin rejected it. */
  | 'enrollment-device-mismatch' | 'enrollment-rejected';
