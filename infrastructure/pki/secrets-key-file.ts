import { KEY_BYTES, loadOrCreateKeyFile, type KeyFile } from './key-file.js';

/** The environment variable that points the server at its secrets key file. */
export const SECRETS_KEY_FILE_ENV = 'MDM_SECRETS_KEY_FILE';

export type SecretsKey = KeyFile;

/**
 * The SecretBox key lives in its own file, outside the event store, so a copy of the events alone
 * reveals no secret. Format: 64 hex characters (or base64 of 32 bytes), optional trailing newline.
 */
export function loadOrCreateSecretsKey(path: string, options: { create: boolean }): Promise<SecretsKey> {
  return loadOrCreateKeyFile(path, {
    create: options.create,
    parse: parseKey,
    notFound: (p) => `Secrets key file not found at ${p}. Point ${SECRETS_KEY_FILE_ENV} at the existing key file; without the original key, sealed secrets in the event store cannot be opened.`,
  });
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
