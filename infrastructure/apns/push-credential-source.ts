import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';
import { readFileIfExists } from '../pki/private-files.js';
import { pushDataDirPaths, readDataDirPushCredentials } from './push-data-dir.js';
import { readPushCredentials, type PushCredentials } from './push-credentials.js';
import { topicOf } from './push-certificate-facts.js';

export type PushCredentialSourceKind = 'environment' | 'data-dir';

export interface ResolvedPushCredentials extends PushCredentials {
  readonly source: PushCredentialSourceKind;
  /** The certificate file (or PKCS#12 file) it was read from. */
  readonly location: string;
}

/**
 * The push certificate the server uses: the MDM_PUSH_* files when set (explicit configuration
 * wins), otherwise the one uploaded with `mdm push upload` into `<MDM_DATA_DIR>/push/`. When both
 * exist and differ the log says which one is used, so a renewal uploaded while the environment
 * still points at the old files does not go unnoticed.
 */
export async function resolvePushCredentials(config: Config, logger?: Logger): Promise<ResolvedPushCredentials | undefined> {
  const paths = pushDataDirPaths(config.dataDir);
  const push = config.apns.push;
  if (!push) {
    const stored = await readDataDirPushCredentials(paths, config.caKeyPassphrase);
    return stored && { ...stored, source: 'data-dir', location: paths.certificate };
  }
  const credentials = await readPushCredentials(push);
  const location = push.kind === 'pem' ? push.certFile : push.file;
  const stored = await readFileIfExists(paths.certificate);
  if (stored && logger) {
    const used = describe(credentials.certPem);
    const ignored = describe(stored.toString('utf8'));
    if (used.sha256 !== ignored.sha256) {
      logger.warn('two push certificates: the one from MDM_PUSH_* is used, the one in the data directory is not (unset MDM_PUSH_* to use it)', {
        used: { location, ...used },
        ignored: { location: paths.certificate, ...ignored },
      });
    }
  }
  return { ...credentials, source: 'environment', location };
}

/** Topic and fingerprint for the log; never fails (an unreadable file is described as such). */
function describe(certPem: string): { topic?: string; sha256?: string } {
  try {
    const topic = topicOf(certPem);
    return { ...(topic ? { topic } : {}), sha256: createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex') };
  } catch {
    return {};
  }
}

/**
 * The certificate the server uses (or would use at its next start), without its key: enough to
 * know the topic devices enrolled under, even when the certificate has expired.
 */
export async function activePushCertificate(config: Config): Promise<{ certPem: string; source: PushCredentialSourceKind; location: string } | undefined> {
  const push = config.apns.push;
  if (push) {
    const certPem = push.kind === 'pem' ? await readFile(push.certFile, 'utf8') : (await readPushCredentials(push)).certPem;
    return { certPem, source: 'environment', location: push.kind === 'pem' ? push.certFile : push.file };
  }
  const paths = pushDataDirPaths(config.dataDir);
  const stored = await readFileIfExists(paths.certificate);
  return stored && { certPem: stored.toString('utf8'), source: 'data-dir', location: paths.certificate };
}
