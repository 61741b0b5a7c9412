import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { progress } from './progress.js';

export interface ServerProcess {
  readonly pid: number;
  readonly deviceHost: string;
  readonly devicePort: number;
  readonly adminUrl: string;
  /** SIGTERM, then wait for a clean exit (SIGKILL after the grace). */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  /** More (or overriding) MDM_* variables. */
  readonly env?: Record<string, string>;
  /** Extra node flags for the server, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../infrastructure/cli/main.js');

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

function ready(url: string): Promise<boolean> {
  return new Promise((answer) => {
    const req = get(`${url}/readyz`, (res) => {
      res.resume();
      answer(res.statusCode === 200);
    });
    req.on('error', () => answer(false));
  });
}

/**
 * `mdm serve` as its own process, so that its CPU time can be read from /proc apart from the load
 * generator's. At MDM_LOG_LEVEL=warn the server does not log its "listening" line (info), so the
 * ports are chosen here (free ephemeral ports) and readiness is polled on the admin /readyz.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  // A port found free can be taken by someone else before the server binds it: try again then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await freePort(), await freePort());
    } catch (error) {
      if (attempt >= 3 || !(error instanceof ExitedEarly) || !error.portTaken) throw error;
      progress(`${(error as Error).message}; trying other ports`);
    }
  }
}

class ExitedEarly extends Error {
  constructor(message: string, readonly portTaken: boolean) {
    super(message);
  }
}

async function startOnce(options: ServerProcessOptions, adminPort: number, devicePort: number): Promise<ServerProcess> {
  const env = {
    // The caller's own MDM_* settings (a push certificate, another event store) would change what is measured.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MDM_') && name !== 'ESDB_URL')),
    MDM_DATA_DIR: options.dataDir,
    MDM_ADMIN_HOST: '127.0.0.1',
    MDM_ADMIN_PORT: String(adminPort),
    MDM_DEVICE_PORT: String(devicePort),
    MDM_DEVICE_HOST: '127.0.0.1',
    MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
    MDM_DURABILITY: 'process',
    MDM_LOG_LEVEL: 'warn',
    // Every simulated device comes from 127.0.0.1: per-address limits would measure themselves.
    MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: '0',
    MDM_RATE_LIMIT_SCEP_PER_MINUTE: '0',
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  // Should the benchmark die without stopping it, the server must not outlive it.
  const killOnExit = () => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const recent = relayLogs(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const deadline = Date.now() + 60_000;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (!(await ready(adminUrl))) {
    if (exitCode !== undefined) {
      process.off('exit', killOnExit);
      throw new ExitedEarly(`the server exited with code ${exitCode} before it was ready`, recent.some((line) => line.includes('EADDRINUSE')));
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      throw new Error('the server was not ready within 60 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    deviceHost: '127.0.0.1',
    devicePort,
    adminUrl,
    stop: () =>
      (stopping ??= (async () => {
        if (exitCode !== undefined) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        const code = await exited;
        clearTimeout(timer);
        process.off('exit', killOnExit);
        if (code !== 0) progress(`server exited with code ${code}`);
      })()),
  };
}

/** Warnings and errors the server logs are worth seeing next to the progress lines; the last few are kept. */
function relayLogs(child: ChildProcess): string[] {
  const recent: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (!line.trim()) return;
      process.stderr.write(`  server: ${line}\n`);
      recent.push(line);
      if (recent.length > 20) recent.shift();
    });
  }
  return recent;
}

export const caDirectory = (dataDir: string): string => join(dataDir, 'ca');
