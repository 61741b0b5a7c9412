import Database from 'better-sqlite3';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config/config.js';

async function emptyOrMissing(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  return (await stat(dir)).isDirectory() && (await readdir(dir)).length === 0;
}

async function copyPrivate(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  const { chmod } = await import('node:fs/promises');
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
  const written: string[] = [];

  if (config.eventStore.kind === 'sqlite') {
    const source = join(config.dataDir, 'events.db');
    if (existsSync(source)) {
      const db = new Database(source, { readonly: true, fileMustExist: true });
      try {
        await db.backup(join(out, 'events.db'), {
          progress: ({ totalPages, remainingPages }) => {
            progress(`events.db: ${totalPages - remainingPages}/${totalPages} pages`);
            return 1000;
          },
        });
      } finally {
        db.close();
      }
      written.push('events.db (online backup)');
    }
  } else {
    progress('events are in EventStoreDB: back it up with its own tools; saving the keys only');
  }

  for (const sub of ['ca', 'tls']) {
    const from = join(config.dataDir, sub);
    if (!existsSync(from)) continue;
    await mkdir(join(out, sub), { recursive: true, mode: 0o700 });
    for (const name of await readdir(from)) {
      await copyPrivate(join(from, name), join(out, sub, name));
      written.push(`${sub}/${name}`);
    }
  }
  if (existsSync(config.secretsKeyFile)) {
    await copyPrivate(config.secretsKeyFile, join(out, 'secrets.key'));
    written.push('secrets.key');
  }
  const push = config.apns.push;
  const pushFiles = push ? (push.kind === 'pem' ? [push.certFile, push.keyFile] : [push.file]) : [];
  if (pushFiles.length > 0) {
    await mkdir(join(out, 'push'), { recursive: true, mode: 0o700 });
    for (const f of pushFiles) {
      await copyPrivate(f, join(out, 'push', basename(f)));
      written.push(`push/${basename(f)}`);
    }
  }
  return written;
}
