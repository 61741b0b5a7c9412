import Database from 'better-sqlite3';
import { chmod, copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';

async function emptyOrMissing(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await stat(dir)).isDirectory() && (await readdir(dir)).length === 0;
}

async function copyPrivate(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  await chmod(to, 0o600);
}

/**
 * A consistent copy of everything the server needs to come back: the event store through SQLite's
 * online backup API (a snapshot even while the server appends), and the key material beside it.
 * Returns what was written, for the operator.
 */
export async function backupDataDir(config: Config, out: string, progress: (line: string) => void = () => undefined): Promise<string[]> {
  if (!(await emptyOrMissing(out))) throw new Error(`${out} exists and is not empty`);
  await mkdir(out, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for a directory that already exists.
  await chmod(out, 0o700);
  const written: string[] = [];

  if (config.eventStore.kind === 'sqlite') {
    const source = join(config.dataDir, 'events.db');
    if (existsSync(source)) {
      const db = new Database(source, { readonly: true, fileMustExist: true });
      try {
        // All pages in one step: SQLite restarts a stepwise backup whenever another process writes,
        // which on a busy server could never finish.
        await db.backup(join(out, 'events.db'), {
          progress: ({ totalPages }) => {
            progress(`events.db: ${totalPages} pages`);
            return Math.max(totalPages, 1);
          },
        });
      } finally {
        db.close();
      }
      await chmod(join(out, 'events.db'), 0o600);
      written.push('events.db (online backup)');
    }
  } else {
    progress('events are in EventStoreDB: back it up with its own tools; saving the keys only');
  }

  // push/: the certificate uploaded with `mdm push upload`, its key and a pending request's key.
  for (const sub of ['ca', 'tls', 'push']) {
    const from = join(config.dataDir, sub);
    if (!existsSync(from)) continue;
    await mkdir(join(out, sub), { recursive: true, mode: 0o700 });
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      await copyPrivate(join(from, entry.name), join(out, sub, entry.name));
      written.push(`${sub}/${entry.name}`);
    }
  }
  if (existsSync(config.secretsKeyFile)) {
    await copyPrivate(config.secretsKeyFile, join(out, 'secrets.key'));
    written.push('secrets.key');
  }
  const push = config.apns.push;
  // Fixed names: the configured files may share a basename.
  const pushFiles: Array<[string, string]> = push ? (push.kind === 'pem' ? [[push.certFile, 'push-cert.pem'], [push.keyFile, 'push-key.pem']] : [[push.file, 'push.p12']]) : [];
  if (pushFiles.length > 0) {
    await mkdir(join(out, 'push'), { recursive: true, mode: 0o700 });
    for (const [from, name] of pushFiles) {
      await copyPrivate(from, join(out, 'push', name));
      written.push(`push/${name}`);
    }
  }
  return written;
}
