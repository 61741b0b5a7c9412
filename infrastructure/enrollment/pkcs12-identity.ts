import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Logger } from '../../application/ports/logger.js';
import type { ScepIssuanceRecorder } from '../../application/ports/scep-challenges.js';
import { buildPkcs12 } from '../pki/pkcs12.js';
import type { Pkcs12Identity } from './enrollment-profile.js';
import type { ProfileIdentity } from './profile-identity.js';

const generateRsaKeyPair = promisify(generateKeyPair);

export interface Pkcs12IdentityOptions {
  /** The CA as the server issues with it (its certificates name the CRL). */
  readonly ca: CertificateAuthority;
  /** The same record SCEP issuance writes (CertificateIssued, and the enrollment's step). */
  readonly recorder: ScepIssuanceRecorder;
  readonly logger: Logger;
  /** As SCEP's: default 365. */
  readonly validityDays?: number;
}

/**
 * MDM_PROFILE_IDENTITY=pkcs12: the server makes the device's identity itself, an RSA 2048 key and
 * a 'device-identity' certificate named CN=<enrollment id>, and hands both over as a PKCS#12 under
 * a random password. The certificate is recorded exactly as a SCEP one is (Authenticate finds its
 * enrollment through that record) before anything leaves; the key and password are kept nowhere:
 * only the profile carries them, over HTTPS, CMS-signed, and in OTA phase 3 encrypted to the device.
 */
export function pkcs12Identity(options: Pkcs12IdentityOptions): (enrollmentId: string) => Promise<Pkcs12Identity> {
  return async (enrollmentId) => {
    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const issued = await options.ca.issue({ publicKeyPem: publicKey, subject: { commonName: enrollmentId }, profile: 'device-identity', validityDays: options.validityDays ?? 365 });
    await options.recorder.recordIssued({
      serialNumber: issued.serialNumber,
      subject: issued.subject,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      sha256: issued.sha256,
      messageType: 'PKCS12',
      transactionId: enrollmentId,
      enrollmentId,
    });
    const password = randomBytes(24).toString('base64url');
    const der = buildPkcs12({ keyPem: privateKey, certificatePem: issued.pem, chainPem: [options.ca.certificatePem()], friendlyName: 'Device identity' }, password);
    options.logger.info('PKCS#12 identity issued', { enrollmentId, serialNumber: issued.serialNumber, sha256: issued.sha256 });
    return { der, password };
  };
}

/** The profile identity for MDM_PROFILE_IDENTITY=pkcs12. */
export function pkcs12ProfileIdentity(options: Pkcs12IdentityOptions): ProfileIdentity {
  const issue = pkcs12Identity(options);
  return async (enrollmentId) => ({ pkcs12: await issue(enrollmentId) });
}
