import { createPrivateKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import { derToPem } from '../pki/der.js';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from '../pki/private-files.js';

/**
 * The SCEP RA: the certificate and key clients encrypt their requests to and that sign CertReps.
 * A key of its own keeps the CA key out of every decryption a client can trigger.
 */
export interface ScepRegistrationAuthority {
  readonly certificatePem: string;
  readonly certificateDer: Buffer;
  readonly privateKey: KeyObject;
}

export const SCEP_RA_COMMON_NAME = 'MDM SCEP RA';
const RA_VALIDITY_DAYS = 3650;
// Renewed ahead of expiry so clients never see an expired RA certificate.
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/**
 * Loads `<dir>/scep-ra.pem` and `<dir>/scep-ra.key`, or creates them (issued by `ca`) when they are
 * missing, were issued by another CA, or are about to expire.
 */
export async function openOrCreateScepRa(ca: CertificateAuthority, dir: string, now: Date = new Date()): Promise<ScepRegistrationAuthority> {
  const certPath = join(dir, 'scep-ra.pem');
  const keyPath = join(dir, 'scep-ra.key');
  await ensurePrivateDirectory(dir);
  const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)]);
  if (cert && key) {
    const existing = usable(ca, cert.toString('utf8'), key.toString('utf8'), now);
    if (existing) return existing;
  }

  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const issued = await ca.issue({
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    subject: { commonName: SCEP_RA_COMMON_NAME },
    // digitalSignature signs CertReps, keyEncipherment receives requests: what the RA does.
    profile: 'device-identity',
    validityDays: RA_VALIDITY_DAYS,
  });
  await writeFileAtomic(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, overwrite: true });
  await writeFileAtomic(certPath, issued.pem, { mode: 0o644, overwrite: true });
  return { certificatePem: issued.pem, certificateDer: issued.der, privateKey };
}

function usable(ca: CertificateAuthority, certPem: string, keyPem: string, now: Date): ScepRegistrationAuthority | undefined {
  try {
    const certificate = new X509Certificate(certPem);
    const privateKey = createPrivateKey(keyPem);
    if (!certificate.checkPrivateKey(privateKey)) return undefined;
    if (!ca.verifyIssued(certPem, new Date(now.getTime() + RENEW_BEFORE_MS))) return undefined;
    if (!ca.verifyIssued(certPem, now)) return undefined;
    return { certificatePem: derToPem(certificate.raw), certificateDer: Buffer.from(certificate.raw), privateKey };
  } catch {
    return undefined;
  }
}
