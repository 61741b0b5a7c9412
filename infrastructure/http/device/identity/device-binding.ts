import type { DeviceIdentity } from './device-identity.js';

/** What Authenticate stored: this device (UDID) enrolled with the certificate of this SHA-256. */
export interface CertificateBinding {
  readonly udid: string;
  readonly certificateHash: string;
}

export type BindingVerdict =
  | 'match'
  /** Nothing is bound yet (unknown device, or after CheckOut): only Authenticate may proceed. */
  | 'not-bound'
  /** The device is bound to another certificate: the UDID in the message is not this certificate's. */
  | 'udid-mismatch'
  /** The certificate is bound to another device (when the binding was found by certificate hash). */
  | 'certificate-bound-elsewhere';

/**
 * Whether a message claiming `udid`, presented with `identity`, fits the binding stored for the
 * device (found by UDID) or for the certificate (found by hash). The middleware cannot decide
 * this: it does not read streams. The check-in use case does, and refuses anything but 'match'
 * (except Authenticate, which creates or renews the binding). The verdict names are those of
 * application/mdm's IdentityRefusal.
 */
export function bindingVerdict(
  identity: Pick<DeviceIdentity, 'certificateSha256'>,
  udid: string,
  binding: CertificateBinding | undefined,
): BindingVerdict {
  if (!binding) return 'not-bound';
  if (binding.certificateHash !== identity.certificateSha256) return 'udid-mismatch';
  if (binding.udid !== udid) return 'certificate-bound-elsewhere';
  return 'match';
}

export function udidMatchesBinding(
  identity: Pick<DeviceIdentity, 'certificateSha256'>,
  udid: string,
  binding: CertificateBinding | undefined,
): boolean {
  return bindingVerdict(identity, udid, binding) === 'match';
}
