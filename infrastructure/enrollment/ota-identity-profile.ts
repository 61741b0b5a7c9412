import { createHash, randomUUID } from 'node:crypto';
import type { PlistInput } from '../plist/plist-value.js';
import { profileIdentifier } from './enrollment-profile.js';

export interface OtaIdentityInputs {
  readonly publicUrl: string;
  readonly enrollmentId: string;
  /** One-time SCEP challenge bound to the enrollment. */
  readonly challenge: string;
  readonly organization: string;
  readonly caCertificateDer: Buffer;
  /** As in the enrollment profile: the plain-HTTP listener's /scep when it is on. */
  readonly scepUrl?: string;
}

/**
 * OTA phase 2: a profile with only a SCEP payload. The device enrolls an identity named for the
 * enrollment (CN=<enrollment id>), signs its next answer with it, and the enrollment profile is
 * encrypted to it.
 */
export function buildOtaIdentityProfile(i: OtaIdentityInputs): Record<string, PlistInput> {
  const base = profileIdentifier(i.publicUrl);
  const scep = {
    PayloadType: 'com.apple.security.scep', PayloadVersion: 1, PayloadIdentifier: `${base}.ota-identity.scep`, PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: 'Enrollment identity',
    PayloadContent: {
      URL: i.scepUrl ?? `${i.publicUrl.replace(/\/+$/, '')}/scep`, Name: 'MDM', Subject: [[['CN', i.enrollmentId]]], Challenge: i.challenge,
      Keysize: 2048, 'Key Type': 'RSA', 'Key Usage': 5,
      // The device checks GetCACert against this, so a man in the middle cannot slip in its own RA.
      CAFingerprint: createHash('sha1').update(i.caCertificateDer).digest(),
    },
  };
  return {
    PayloadType: 'Configuration', PayloadVersion: 1, PayloadIdentifier: `${base}.ota-identity`, PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${i.organization} enrollment identity`, PayloadOrganization: i.organization,
    PayloadDescription: 'Gets this device the identity its enrollment profile is encrypted to.',
    PayloadContent: [scep],
  };
}
