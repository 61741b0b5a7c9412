import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** `openssl cms -sign`: an independent implementation of the signer side of Mdm-Signature. */

export const opensslAvailable = !spawnSync('openssl', ['version']).error;

export interface OpensslCmsOptions {
  readonly digest?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** false adds -noattr: the signature then covers the body itself. */
  readonly signedAttributes?: boolean;
  /** Identify the signer by subjectKeyIdentifier instead of issuer and serial number. */
  readonly keyIdentifier?: boolean;
}

/** DER of a detached CMS SignedData over `body`, made by the openssl CLI. Any key type openssl signs with. */
export function opensslSignDetached(
  body: Buffer | string,
  signer: { certPem: string; keyPem: string },
  options: OpensslCmsOptions = {},
): Buffer {
  const dir = tempDir('mdm-cms-');
  try {
    const path = (name: string) => join(dir.path, name);
    writeFileSync(path('body'), body);
    writeFileSync(path('cert.pem'), signer.certPem);
    writeFileSync(path('key.pem'), signer.keyPem, { mode: 0o600 });
    execFileSync(
      'openssl',
      [
        'cms', '-sign', '-binary', '-outform', 'DER',
        '-md', options.digest ?? 'sha256',
        '-signer', path('cert.pem'), '-inkey', path('key.pem'),
        '-in', path('body'), '-out', path('signature.der'),
        ...(options.signedAttributes === false ? ['-noattr'] : []),
        ...(options.keyIdentifier ? ['-keyid'] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return readFileSync(path('signature.der'));
  } finally {
    dir.remove();
  }
}
