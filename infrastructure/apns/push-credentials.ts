import forge from 'node-forge';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';

/** The push certificate and key as PEM, however they were given. */
export interface PushCredentials {
  readonly certPem: string;
  readonly keyPem: string;
}

export class PushCredentialsError extends Error {
  override readonly name = 'PushCredentialsError';
}

/**
 * Reads a PKCS#12 bundle (what Apple's portal flow and Keychain export produce) into PEM. The
 * password comes from the environment, never from a file in the repository or a log line.
 */
export function pkcs12ToPem(der: Buffer, password: string): PushCredentials {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), password);
  } catch {
    throw new PushCredentialsError('the push certificate PKCS#12 could not be read (wrong MDM_PUSH_P12_PASSWORD, or not a PKCS#12 file)');
  }
  const certs = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[forge.pki.oids['pkcs8ShroudedKeyBag']!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids['keyBag']! })[forge.pki.oids['keyBag']!] ?? []),
  ];
  const cert = certs.find((b) => b.cert)?.cert;
  const key = keys.find((b) => b.key)?.key;
  if (!cert || !key) throw new PushCredentialsError('the push certificate PKCS#12 must hold one certificate and its private key');
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

/** The configured push credentials: PEM certificate and key files, or one PKCS#12 file. */
export async function readPushCredentials(push: NonNullable<Config['apns']['push']>): Promise<PushCredentials> {
  if (push.kind === 'pkcs12') return pkcs12ToPem(await readFile(push.file), push.password);
  const [certPem, keyPem] = await Promise.all([readFile(push.certFile, 'utf8'), readFile(push.keyFile, 'utf8')]);
  return { certPem, keyPem };
}
