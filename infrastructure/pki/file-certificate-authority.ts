import { join } from 'node:path';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { LocalCertificateAuthority } from './local-certificate-authority.js';
import { ensurePrivateDirectory, isAccessibleByOthers, readFileIfExists, writeFileAtomic } from './private-files.js';
import { createSelfSignedCa } from './self-signed-ca.js';

export { CertificateRequestError } from './certificate-request-error.js';

export interface FileCertificateAuthorityOptions {
  readonly commonName?: string;
  readonly organization?: string;
  /** Size of a newly created CA key; default 3072. */
  readonly keyBits?: 2048 | 3072;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** The CA kept as `<dir>/ca.pem` and `<dir>/ca.key` (PKCS#8), created on first start. */
export class FileCertificateAuthority extends LocalCertificateAuthority {
  private constructor(
    readonly directory: string,
    certificatePem: string,
    keyPem: string,
    clock: Clock,
  ) {
    super(certificatePem, keyPem, clock);
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
      return FileCertificateAuthority.load(dir, cert.toString('utf8'), key.toString('utf8'), clock);
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
    await writeFileAtomic(keyPath, created.privateKeyPem, { mode: 0o600, overwrite: false });
    await writeFileAtomic(certPath, created.certificatePem, { mode: 0o644, overwrite: false });
    options.logger?.info('created certificate authority', {
      dir,
      subject: created.certificate.subject,
      sha256: created.certificate.fingerprint256,
    });
    return FileCertificateAuthority.load(dir, created.certificatePem, created.privateKeyPem, clock);
  }

  private static load(dir: string, certPem: string, keyPem: string, clock: Clock): FileCertificateAuthority {
    try {
      return new FileCertificateAuthority(dir, certPem, keyPem, clock);
    } catch (error) {
      throw new Error(`Cannot use the CA in ${dir} (ca.pem, ca.key): ${(error as Error).message}`, { cause: error });
    }
  }
}
