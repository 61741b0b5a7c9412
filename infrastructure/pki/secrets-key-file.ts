import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ensurePrivateDirectory, isAccessibleByOthers, readFileIfExists, writeFileAtomic } from './private-files.js';

/** The environment variable that points the server at its secrets key file. */
export const SECRETS_KEY_FILE_ENV = 'MDM_SECRETS_KEY_FILE';

export interface SecretsKey {
  readonly key: Buffer;
  readonly path: string;
  readonly created: boolean;
  /** Group or others have access to the file: the caller should warn. */
  readonly insecureMode: boolean;
}

const KEY_BYTES = 32;

/**
 * The SecretBox key lives in its own file, outside the event store, so a copy of the events alone
 * reveals no secret. Format: 64 hex characters (or base64 of 32 bytes), optional trailing newline.
 */
export async function loadOrCreateSecretsKey(path: string, options: { create: boolean }): Promise<SecretsKey> {
  const existing = await readFileIfExists(path);
  if (existing) {
    return { key: parseKey(existing, path), path, created: false, insecureMode: await isAccessibleByOthers(path) };
  }
  if (!options.create) {
    throw new Error(
      `Secrets key file not found at ${path}. Point ${SECRETS_KEY_FILE_ENV} at the existing key file; ` +
        `without the original key, sealed secrets in the event store cannot be opened.`,
    );
  }
  await ensurePrivateDirectory(dirname(path));
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFileAtomic(path, `${key.toString('hex')}\n`, { mode: 0o600, overwrite: false });
  } catch (error) {
    // Another process created it first: use theirs, never replace a key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretsKey(path, { create: false });
    throw error;
  }
  return { key, path, created: true, insecureMode: false };
}

// Messages describe the shape only; the file's content is never echoed.
function parseKey(content: Buffer, path: string): Buffer {
  const text = content.toString('utf8').replace(/\r?\n$/, '');
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) {
    if (text.length === KEY_BYTES * 2) return Buffer.from(text, 'hex');
    throw new Error(
      `Secrets key file ${path} holds a ${text.length / 2}-byte hex key; ${KEY_BYTES} bytes (64 hex characters) are required`,
    );
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const key = Buffer.from(text, 'base64');
    if (key.length === KEY_BYTES) return key;
    throw new Error(`Secrets key file ${path} holds a ${key.length}-byte base64 key; ${KEY_BYTES} bytes are required`);
  }
  throw new Error(`Secrets key file ${path} must hold ${KEY_BYTES} bytes as 64 hex characters or base64`);
}
