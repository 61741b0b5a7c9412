import type { Response } from 'express';

/** Where the request's certificate came from, in the middleware's order of preference. */
export type IdentitySource = 'mtls' | 'mdm-signature' | 'client-cert';

/** A certificate issued by the MDM CA and valid now, presented by the request. */
export interface DeviceIdentity {
  readonly certificateDer: Buffer;
  /** SHA-256 of the DER, lower-case hex: the value devices are bound to at Authenticate. */
  readonly certificateSha256: string;
  /** The subject's commonName, or undefined when the subject has none. */
  readonly subjectCommonName: string | undefined;
  /** Lower-case hex of the serial number, as IssuedCertificate.serialNumber spells it. */
  readonly serialNumber: string;
  readonly notAfter: Date;
  readonly source: IdentitySource;
}

export interface DeviceIdentityLocals {
  deviceIdentity: DeviceIdentity;
}

/**
 * The identity the deviceIdentity middleware stored. A handler mounted without that middleware in
 * front is a wiring fault, so this throws (a 500) rather than letting the request through.
 */
export function deviceIdentityOf(res: Response): DeviceIdentity {
  const identity = (res.locals as Partial<DeviceIdentityLocals>).deviceIdentity;
  if (!identity) throw new Error('no device identity on this request: mount deviceIdentity() before the handler');
  return identity;
}
