import { execFileSync, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { openSync } from 'node:fs';
import { join } from 'node:path';

export interface ScepserverProcess {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

export const SCEPSERVER = process.env.SCEPSERVER ?? 'scepserver';

export function scepserverAvailable(): boolean {
  try {
    execFileSync(SCEPSERVER, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

const answers = (url: string): Promise<boolean> =>
  new Promise((answer) => {
    get(url, (res) => {
      res.resume();
      answer(res.statusCode === 200);
    }).on('error', () => answer(false));
  });

/**
 * micromdm's scepserver (Debian package `scep`) with a fresh CA of `caBits` in `dir/depot`, over
 * plain HTTP. It listens on all interfaces (it has no bind-address option); clients use 127.0.0.1.
 * Its per-request info logs go to `scepserverLog(dir)`: writing them is part of its cost, as in production.
 */
export const logFile = (dir: string): string => join(dir, 'scepserver.log');

export async function startScepserver(dir: string, options: { caBits: number; challenge: string }): Promise<ScepserverProcess> {
  const depot = join(dir, 'depot');
  execFileSync(SCEPSERVER, ['ca', '-init', '-depot', depot, '-keySize', String(options.caBits)], { stdio: 'ignore' });
  const port = await freePort();
  const child = spawn(SCEPSERVER, ['-depot', depot, '-port', String(port), '-challenge', options.challenge], { cwd: dir, stdio: ['ignore', 'ignore', openSync(logFile(dir), 'w')] });
  const killOnExit = () => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((done) => child.once('exit', (code) => ((exitCode = code), done())));
  const deadline = Date.now() + 15_000;
  while (!(await answers(`http://127.0.0.1:${port}/scep?operation=GetCACaps`))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error(`scepserver did not come up (exit ${exitCode}); see ${logFile(dir)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    port,
    stop: async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    },
  };
}
