import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { LocalCertificateAuthority } from './local-certificate-authority.js';
import { ensurePrivateDirectory, isAccessibleByOthers, readFileIfExists, writeFileAtomic } from './private-files.js';
import { createSelfSignedCa } from './self-signed-ca.js';
import { checkCaCertificate } from './ca-certificate-checks.js';
import { encodeStoredKey } from './stored-key.js';

export { CertificateRequestError } from './certificate-request-error.js';

export interface FileCertificateAuthorityOptions {
  readonly commonName?: string;
  readonly organization?: string;
  /** Size of a newly created CA key; default 3072. */
  readonly keyBits?: 2048 | 3072;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /**
   * Passphrase of the CA key (MDM_CA_KEY_PASSPHRASE): a key created with one is written encrypted
   * (PKCS#8, AES-256-CBC), and an encrypted key needs it to open.
   */
  readonly passphrase?: string;
}

/** The CA kept as `<dir>/ca.pem` and `<dir>/ca.key` (PKCS#8), created on first start. */
export class FileCertificateAuthority extends LocalCertificateAuthority {
  private constructor(
    readonly directory: string,
    certificatePem: string,
    key: KeyObject,
    clock: Clock,
  ) {
    super(certificatePem, key, clock);
  }

  static async openOrCreate(
    dir: string,
    options: FileCertificateAuthorityOptions = {},
  ): Promise<FileCertificateAuthority> {
    const clock = options.clock ?? systemClock;
    const certPath = join(dir, 'ca.pem');
    const keyPath = join(dir, 'ca.key');
    await ensurePrivateDirectory(dir);
    const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)]);

    if (cert && key) {
      if (await isAccessibleByOthers(keyPath)) {
        options.logger?.warn('CA key file is accessible by group or others; chmod 600 it', { path: keyPath });
      }
      if (await isAccessibleByOthers(dir)) {
        options.logger?.warn('CA directory is accessible by group or others; chmod 700 it', { path: dir });
      }
      if (options.passphrase !== undefined && !key.toString('utf8').includes('ENCRYPTED')) {
        options.logger?.warn('MDM_CA_KEY_PASSPHRASE is set but the CA key is stored unencrypted: encrypt it (openssl pkcs8 -topk8 -v2 aes-256-cbc) to protect it at rest', { path: keyPath });
      }
      return FileCertificateAuthority.load(dir, cert.toString('utf8'), key.toString('utf8'), clock, options.passphrase);
    }
    if (cert || key) {
      const [present, missing] = cert ? [certPath, keyPath] : [keyPath, certPath];
      throw new Error(
        `Incomplete CA in ${dir}: ${present} exists but ${missing} is missing. ` +
          `Restore the missing file from a backup, or move both away to create a new CA ` +
          `(devices enrolled under the old CA would have to re-enroll).`,
      );
    }

    const created = await createSelfSignedCa({
      commonName: options.commonName,
      organization: options.organization,
      keyBits: options.keyBits,
      now: clock.now(),
    });
    // Key first: a crash in between leaves "key without certificate", reported above, never a
    // certificate whose key is lost.
    await writeFileAtomic(keyPath, encodeStoredKey(created.privateKey, options.passphrase), { mode: 0o600, overwrite: false });
    await writeFileAtomic(certPath, created.certificatePem, { mode: 0o644, overwrite: false });
    options.logger?.info('created certificate authority', {
      dir,
      subject: created.certificate.subject,
      sha256: created.certificate.fingerprint256,
    });
    return FileCertificateAuthority.load(dir, created.certificatePem, created.privateKeyPem, clock);
  }

  /** Whether `dir` already holds a CA (either file). */
  static async exists(dir: string): Promise<boolean> {
    const [cert, key] = await Promise.all([readFileIfExists(join(dir, 'ca.pem')), readFileIfExists(join(dir, 'ca.key'))]);
    return cert !== undefined || key !== undefined;
  }

  /**
   * Takes over an existing CA (an organisation's own, or one from another MDM) instead of creating
   * one: devices already enrolled under it keep their identities. Refuses to replace a CA already in
   * `dir` (every device enrolled under that one would have to re-enroll) and anything that cannot
   * serve as the CA (see checkCaCertificate).
   */
  static async import(dir: string, certPem: string, privateKey: KeyObject, options: FileCertificateAuthorityOptions = {}): Promise<FileCertificateAuthority> {
    if (await FileCertificateAuthority.exists(dir)) {
      throw new Error(`${dir} already holds a CA; move ca.pem and ca.key away first (devices enrolled under it would have to re-enroll)`);
    }
    const x509 = new X509Certificate(certPem);
    checkCaCertificate(x509, privateKey, (options.clock ?? systemClock).now());
    await ensurePrivateDirectory(dir);
    await writeFileAtomic(join(dir, 'ca.key'), encodeStoredKey(privateKey, options.passphrase), { mode: 0o600, overwrite: false });
    await writeFileAtomic(join(dir, 'ca.pem'), x509.toString(), { mode: 0o644, overwrite: false });
    options.logger?.info('imported certificate authority', { dir, subject: x509.subject, sha256: x509.fingerprint256 });
    return FileCertificateAuthority.load(dir, x509.toString(), encodeStoredKey(privateKey, options.passphrase), options.clock ?? systemClock, options.passphrase);
  }

  private static load(dir: string, certPem: string, keyPem: string, clock: Clock, passphrase?: string): FileCertificateAuthority {
    if (keyPem.includes('ENCRYPTED') && passphrase === undefined) {
      throw new Error(`The CA key in ${dir} is encrypted: set MDM_CA_KEY_PASSPHRASE`);
    }
    try {
      const key = createPrivateKey(passphrase !== undefined && keyPem.includes('ENCRYPTED') ? { key: keyPem, passphrase } : keyPem);
      return new FileCertificateAuthority(dir, certPem, key, clock);
    } catch (error) {
      const hint = keyPem.includes('ENCRYPTED') ? ' (is MDM_CA_KEY_PASSPHRASE right?)' : '';
      throw new Error(`Cannot use the CA in ${dir} (ca.pem, ca.key)${hint}: ${(error as Error).message}`, { cause: error });
    }
  }
}
