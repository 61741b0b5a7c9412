import { spawnSync } from 'node:child_process';

/** Whether an outside tool can run here; tests that need it skip visibly when it cannot. */
function runs(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

/** Debian's `scep` package (micromdm's scepclient). */
export const scepclientAvailable = runs('scepclient', ['-version']);
export const opensslCliAvailable = runs('openssl', ['version']);
