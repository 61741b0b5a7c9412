import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Creates `dir` (and parents) as 0700; an existing directory is left as the operator set it. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
  // The umask could only remove bits from 0700, but chmod makes the mode independent of it.
  if (firstCreated !== undefined) await chmod(dir, 0o700);
}

export interface AtomicWriteOptions {
  readonly mode: number;
  /** false: fail with EEXIST rather than replace an existing file (never clobber a key). */
  readonly overwrite: boolean;
}

/**
 * Writes via a temporary file in the same directory, then renames (or links) it into place: a
 * crash leaves either the old file or the complete new one, never half a key. The temporary file
 * is created exclusively with `mode`, so the secret is never readable by others, even briefly.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, options: AtomicWriteOptions): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', options.mode);
  try {
    try {
      await handle.chmod(options.mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await rename(temporary, path);
    } else {
      await link(temporary, path);
      await unlink(temporary);
    }
    await syncDirectory(dirname(path));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** True when group or others have any permission on `path`. */
export async function isAccessibleByOthers(path: string): Promise<boolean> {
  return ((await stat(path)).mode & 0o077) !== 0;
}

// Makes the rename itself durable; not every platform can open a directory, and that is fine.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // fsync on a directory is unsupported on some filesystems.
  } finally {
    await handle.close();
  }
}
