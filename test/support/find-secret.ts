import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The encodings a secret could leak in: as is, hex, base64 and base64url. */
export function encodingsOf(secret: Buffer): Buffer[] {
  return [secret, Buffer.from(secret.toString('hex')), Buffer.from(secret.toString('base64')), Buffer.from(secret.toString('base64url'))];
}

/** Files under `dir` (recursively) whose bytes contain `secret` in any of its encodings. */
export function filesContaining(dir: string, secret: Buffer): string[] {
  const hits: string[] = [];
  const needles = encodingsOf(secret);
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (needles.some((n) => readFileSync(path).includes(n))) hits.push(path);
    }
  };
  walk(dir);
  return hits;
}
