import { KEY_BYTES, loadOrCreateKeyFile, type KeyFile } from '../pki/key-file.js';

/** The environment variable that points at the checkpoint key file. */
export const AUDIT_KEY_FILE_ENV = 'MDM_AUDIT_KEY_FILE';

export type AuditKey = KeyFile;

/**
 * The checkpoint signing key: its own file (64 hex characters), never in the event store, and not
 * the secrets key either, so handing an auditor this key opens no sealed secret. Created 0600 in a
 * 0700 directory on first use when `create` allows it.
 */
export function loadOrCreateAuditKey(path: string, options: { create: boolean }): Promise<AuditKey> {
  return loadOrCreateKeyFile(path, {
    create: options.create,
    parse: parseKey,
    notFound: (p) => `audit checkpoint key file not found at ${p}; point ${AUDIT_KEY_FILE_ENV} at the key that signed the checkpoints`,
  });
}

// Messages describe the shape only; the file's content is never echoed.
function parseKey(content: Buffer, path: string): Buffer {
  const text = content.toString('utf8').replace(/\r?\n$/, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new Error(`audit checkpoint key file ${path} must hold ${KEY_BYTES} bytes as 64 hex characters`);
}
