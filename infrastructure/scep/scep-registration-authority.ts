import { generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Logger } from '../../application/ports/logger.js';
import { derToPem } from '../pki/der.js';
import { ensurePrivateDirectory, readFileIfExists, writeFileAtomic } from '../pki/private-files.js';
import { decodeStoredKey, encodeStoredKey, isEncryptedKeyPem } from '../pki/stored-key.js';

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

export interface ScepRaOptions {
  readonly now?: Date;
  /** MDM_CA_KEY_PASSPHRASE: the RA key is kept encrypted with it, as the CA key is. */
  readonly passphrase?: string;
  readonly logger?: Logger;
}

/**
 * Loads `<dir>/scep-ra.pem` and `<dir>/scep-ra.key`, or creates them (issued by `ca`) when they are
 * missing, were issued by another CA, are about to expire, or the key cannot be opened (the RA has
 * no lasting identity: clients fetch it with GetCACert before every enrollment).
 */
export async function openOrCreateScepRa(ca: CertificateAuthority, dir: string, options: ScepRaOptions = {}): Promise<ScepRegistrationAuthority> {
  const now = options.now ?? new Date();
  const certPath = join(dir, 'scep-ra.pem');
  const keyPath = join(dir, 'scep-ra.key');
  await ensurePrivateDirectory(dir);
  const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)]);
  if (cert && key) {
    const keyPem = key.toString('utf8');
    const existing = usable(ca, cert.toString('utf8'), openKey(keyPem, keyPath, options), now);
    if (existing) {
      // A passphrase configured after the RA was created: encrypt the key now rather than only
      // warning, since nothing but this server reads it.
      if (options.passphrase !== undefined && !isEncryptedKeyPem(keyPem)) {
        await writeFileAtomic(keyPath, encodeStoredKey(existing.privateKey, options.passphrase), { mode: 0o600, overwrite: true });
        options.logger?.info('SCEP RA key re-written encrypted with MDM_CA_KEY_PASSPHRASE', { path: keyPath });
      }
      return existing;
    }
  }

  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const issued = await ca.issue({
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    subject: { commonName: SCEP_RA_COMMON_NAME },
    // digitalSignature signs CertReps, keyEncipherment receives requests: what the RA does.
    profile: 'device-identity',
    validityDays: RA_VALIDITY_DAYS,
  });
  await writeFileAtomic(keyPath, encodeStoredKey(privateKey, options.passphrase), { mode: 0o600, overwrite: true });
  await writeFileAtomic(certPath, issued.pem, { mode: 0o644, overwrite: true });
  return { certificatePem: issued.pem, certificateDer: issued.der, privateKey };
}

function openKey(keyPem: string, keyPath: string, options: ScepRaOptions): KeyObject | undefined {
  try {
    return decodeStoredKey(keyPem, options.passphrase, keyPath);
  } catch (error) {
    options.logger?.warn('the SCEP RA key cannot be opened; a new RA is created', { path: keyPath, reason: (error as Error).message });
    return undefined;
  }
}

function usable(ca: CertificateAuthority, certPem: string, privateKey: KeyObject | undefined, now: Date): ScepRegistrationAuthority | undefined {
  if (!privateKey) return undefined;
  try {
    const certificate = new X509Certificate(certPem);
    if (!certificate.checkPrivateKey(privateKey)) return undefined;
    if (!ca.verifyIssued(certPem, new Date(now.getTime() + RENEW_BEFORE_MS))) return undefined;
    if (!ca.verifyIssued(certPem, now)) return undefined;
    return { certificatePem: derToPem(certificate.raw), certificateDer: Buffer.from(certificate.raw), privateKey };
  } catch {
    return undefined;
  }
}
