import { createHash, randomUUID } from 'node:crypto';
import type { PlistInput } from '../plist/plist-value.js';

/** A device identity the server made: the PKCS#12 (DER) and the password that opens it. */
export interface Pkcs12Identity {
  readonly der: Buffer;
  readonly password: string;
}

export interface EnrollmentProfileInputs {
  /** MDM_PUBLIC_URL: the base devices reach the server at. */
  readonly publicUrl: string;
  /** The push certificate's UID. */
  readonly topic: string;
  readonly caCertificateDer: Buffer;
  /** One-time SCEP challenge bound to this enrollment (unused when `pkcs12` is given). */
  readonly challenge: string;
  /** The identity's subject CN, which the challenge authorizes: the enrollment id, or the UDID when an enrolled device renews. */
  readonly enrollmentId: string;
  readonly organization: string;
  /** Devices sign each request (Mdm-Signature) instead of relying on TLS client authentication. */
  readonly signMessage: boolean;
  /** The device listener's certificate comes from our own CA: pin it (a user-installed CA is not trusted for TLS). */
  readonly pinToCa: boolean;
  readonly accessRights?: number;
  /** Where the SCEP payload enrolls: `<publicUrl>/scep` unless the plain-HTTP listener serves it. */
  readonly scepUrl?: string;
  /** MDM_PROFILE_IDENTITY=pkcs12: the identity payload carries this instead of a SCEP request. */
  readonly pkcs12?: Pkcs12Identity;
}

/** The same identifier for every enrollment profile of a server, so a renewal replaces, not adds. */
export const profileIdentifier = (publicUrl: string): string => `${new URL(publicUrl).hostname.split('.').reverse().join('.')}.mdm.enrollment`;

/**
 * The enrollment profile: the CA (trusted for the server), the device identity (a SCEP request
 * whose subject carries the enrollment id, or a PKCS#12 the server issued with that subject), and
 * the MDM payload that points the device at this server.
 */
export function buildEnrollmentProfile(i: EnrollmentProfileInputs): Record<string, PlistInput> {
  const base = profileIdentifier(i.publicUrl);
  const caUuid = randomUUID().toUpperCase();
  const identityUuid = randomUUID().toUpperCase();
  const url = i.publicUrl.replace(/\/+$/, '');
  const ca = {
    PayloadType: 'com.apple.security.root', PayloadVersion: 1, PayloadIdentifier: `${base}.ca`, PayloadUUID: caUuid,
    PayloadDisplayName: `${i.organization} MDM CA`, PayloadContent: i.caCertificateDer,
  };
  // One identifier for either kind, so a later profile (a renewal) replaces the identity.
  const identityHeader = { PayloadVersion: 1, PayloadIdentifier: `${base}.identity`, PayloadUUID: identityUuid, PayloadDisplayName: 'Device identity' };
  const identity = i.pkcs12 ? {
    PayloadType: 'com.apple.security.pkcs12', ...identityHeader,
    PayloadCertificateFileName: 'device-identity.p12', PayloadContent: i.pkcs12.der, Password: i.pkcs12.password,
  } : {
    PayloadType: 'com.apple.security.scep', ...identityHeader,
    PayloadContent: {
      URL: i.scepUrl ?? `${url}/scep`, Name: 'MDM', Subject: [[['CN', i.enrollmentId]]], Challenge: i.challenge,
      Keysize: 2048, 'Key Type': 'RSA', 'Key Usage': 5,
      // The device checks GetCACert against this, so a man in the middle cannot slip in its own RA.
      CAFingerprint: createHash('sha1').update(i.caCertificateDer).digest(),
    },
  };
  const mdm = {
    PayloadType: 'com.apple.mdm', PayloadVersion: 1, PayloadIdentifier: `${base}.mdm`, PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: 'Device management',
    ServerURL: `${url}/mdm`, CheckInURL: `${url}/mdm`, Topic: i.topic, IdentityCertificateUUID: identityUuid,
    AccessRights: i.accessRights ?? 8191, SignMessage: i.signMessage, CheckOutWhenRemoved: true,
    // Only what this server supports: no per-user connections, no bootstrap tokens.
    ServerCapabilities: [] as string[],
    ...(i.pinToCa ? { ServerURLPinningCertificateUUIDs: [caUuid], CheckInURLPinningCertificateUUIDs: [caUuid] } : {}),
  };
  return {
    PayloadType: 'Configuration', PayloadVersion: 1, PayloadIdentifier: base, PayloadUUID: randomUUID().toUpperCase(),
    PayloadDisplayName: `${i.organization} device management`, PayloadOrganization: i.organization,
    PayloadDescription: 'Enrolls this device in device management.',
    PayloadContent: [ca, identity, mdm],
  };
}
