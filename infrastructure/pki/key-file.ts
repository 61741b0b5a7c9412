import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ensurePrivateDirectory, isAccessibleByOthers, readFileIfExists, writeFileAtomic } from './private-files.js';

/** A 32-byte symmetric key kept in a file of its own, outside every store. */
export interface KeyFile {
  readonly key: Buffer;
  readonly path: string;
  readonly created: boolean;
  /** Group or others have access to the file: the caller should warn. */
  readonly insecureMode: boolean;
}

export const KEY_BYTES = 32;

/**
 * Reads the key, or creates it (64 hex characters, 0600 in a 0700 directory) when `create` allows.
 * A key is never replaced: when another process creates the file first, theirs is used.
 */
export async function loadOrCreateKeyFile(
  path: string,
  options: { readonly create: boolean; readonly parse: (content: Buffer, path: string) => Buffer; readonly notFound: (path: string) => string },
): Promise<KeyFile> {
  const existing = await readFileIfExists(path);
  if (existing) return { key: options.parse(existing, path), path, created: false, insecureMode: await isAccessibleByOthers(path) };
  if (!options.create) throw new Error(options.notFound(path));
  await ensurePrivateDirectory(dirname(path));
  const key = randomBytes(KEY_BYTES);
  try {
    await writeFileAtomic(path, `${key.toString('hex')}\n`, { mode: 0o600, overwrite: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKeyFile(path, { ...options, create: false });
    throw error;
  }
  return { key, path, created: true, insecureMode: false };
}
