import { X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { readFileIfExists } from '../pki/private-files.js';
import { decodeStoredKey } from '../pki/stored-key.js';
import { PushCertificateError } from './push-certificate.js';
import type { PushCredentials } from './push-credentials.js';

/**
 * The push certificate kept in the data directory by `mdm push csr` and `mdm push upload`:
 *   push/push.pem     the active certificate (0600)
 *   push/push.key     its key (0600, encrypted with MDM_CA_KEY_PASSPHRASE when set)
 *   push/pending.key  the key of a request not yet answered by Apple; the active pair keeps working
 *                     until the new certificate is uploaded
 */
export interface PushDataDirPaths {
  readonly directory: string;
  readonly certificate: string;
  readonly key: string;
  readonly pendingKey: string;
}

export function pushDataDirPaths(dataDir: string): PushDataDirPaths {
  const directory = join(dataDir, 'push');
  return { directory, certificate: join(directory, 'push.pem'), key: join(directory, 'push.key'), pendingKey: join(directory, 'pending.key') };
}

/** A stored push key, or undefined when the file does not exist. */
export async function readPushKey(path: string, passphrase: string | undefined): Promise<KeyObject | undefined> {
  const pem = await readFileIfExists(path);
  return pem && decodeStoredKey(pem.toString('utf8'), passphrase, path);
}

/**
 * The active certificate and its key, the key decrypted in memory only; undefined when no
 * certificate was uploaded. When push.key does not match but pending.key does, an upload was
 * interrupted between writing the certificate and its key: the pending key is the right one.
 */
export async function readDataDirPushCredentials(paths: PushDataDirPaths, passphrase: string | undefined): Promise<PushCredentials | undefined> {
  const certificate = await readFileIfExists(paths.certificate);
  if (!certificate) return undefined;
  const certPem = certificate.toString('utf8');
  const active = await readPushKey(paths.key, passphrase);
  if (active && matches(certPem, active)) return { certPem, keyPem: plainPem(active) };
  const pending = await readPushKey(paths.pendingKey, passphrase).catch(() => undefined);
  if (pending && matches(certPem, pending)) return { certPem, keyPem: plainPem(pending) };
  if (!active) throw new PushCertificateError(`${paths.certificate} has no key beside it (${paths.key}): restore it from a backup, or request and upload a new certificate for the same topic`);
  // The mismatch is reported, with the topic, where the certificate is checked.
  return { certPem, keyPem: plainPem(active) };
}

const plainPem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

function matches(certPem: string, key: KeyObject): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(key);
  } catch {
    return false;
  }
}
