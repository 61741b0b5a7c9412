import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ensurePrivateDirectory, isAccessibleByOthers, readFileIfExists, writeFileAtomic } from '../pki/private-files.js';

/** The environment variable that points at the checkpoint key file. */
export const AUDIT_KEY_FILE_ENV = 'MDM_AUDIT_KEY_FILE';

export interface AuditKey {
  readonly key: Buffer;
  readonly path: string;
  readonly created: boolean;
  /** Group or others have access to the file: the caller should warn. */
  readonly insecureMode: boolean;
}

const KEY_BYTES = 32;

/**
 * The checkpoint signing key: its own file (64 hex characters), never in the event store, and not
 * the secrets key either, so handing an auditor this key opens no sealed secret. Created 0600 in a
 * 0700 directory on first use when `create` allows it.
 */
export async function loadOrCreateAuditKey(path: string, options: { create: boolean }): Promise<AuditKey> {
  const existing = await readFileIfExists(path);
  if (existing) return { key: parseKey(existing, path), path, created: false, insecureMode: await isAccessibleByOthers(path) };
  if (!options.create) {
    throw new Error(`audit checkpoint key file not found at ${path}; point ${AUDIT_KEY_FILE_ENV} at the key that signed the checkpoints`);
  }
  await ensurePrivateDirectory(dirname(path));
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFileAtomic(path, `${key.toString('hex')}\n`, { mode: 0o600, overwrite: false });
  } catch (error) {
    // Another process created it first: use theirs, never replace a key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateAuditKey(path, { create: false });
    throw error;
  }
  return { key, path, created: true, insecureMode: false };
}

// Messages describe the shape only; the file's content is never echoed.
function parseKey(content: Buffer, path: string): Buffer {
  const text = content.toString('utf8').replace(/\r?\n$/, '');
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  throw new Error(`audit checkpoint key file ${path} must hold ${KEY_BYTES} bytes as 64 hex characters`);
}
