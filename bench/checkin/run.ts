import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import type { ServerTarget } from '../support/device-connection.js';
import { idleBaseline } from '../support/phase.js';
import { procCpuAvailable } from '../support/proc-cpu.js';
import { progress, wholeNumber } from '../support/progress.js';
import { caDirectory, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { issueDevices } from '../support/sim-devices.js';
import { StoreSideQueue } from '../support/store-side-queue.js';
import { benchDevice, type BenchDevice, type CheckinContext } from './context.js';
import { cyclePhase } from './cycle-phase.js';
import { enrollmentPhase } from './enrollment-phase.js';
import { handshakePhase } from './handshake-phase.js';
import { idlePhase } from './idle-phase.js';
import { handshakeCost, interference, NANOMDM, summaryLines, verdicts, type CheckinResults } from './summary.js';

const HELP = `Usage: node dist/bench/checkin/run.js [options]

Simulated devices against \`mdm serve\` running as its own process (embedded store, 'process'
durability, log level warn), every request signed with Mdm-Signature:
  - enrollment: Authenticate + TokenUpdate per device
  - idle check-ins with nothing queued, over keep-alive TLS, for --seconds
  - full command cycles, --rounds times: DeviceInformation queued for every device, then
    Idle -> command -> Acknowledged with QueryResponses -> empty 200
  - --connections fresh TLS connections with one Idle each, full handshake and resumed session:
    their extra server CPU over a keep-alive Idle is the handshake cost
For each: throughput, p50/p95/p99 latency, errors, and the server's own CPU time per request read
from /proc/<pid>/stat (the load generator shares the cores, so CPU per request is the comparable
figure). Commands are queued out of process: a second SqliteEventStore on the server's events.db
with the application's CommandQueueService (there is no admin HTTP API yet).

Options:
  --devices N          simulated devices (default 200)
  --concurrency N      requests in flight (default 32)
  --seconds N          length of the idle phase (default 10)
  --rounds N           timed command rounds, after one untimed warm-up round (default 5)
  --connections N      fresh connections per handshake phase (default 500)
  --server-cpu-prof D  run the server with --cpu-prof, profiles written to directory D
  --dir PATH           data directory (default: a new temp dir, removed afterwards)
  --json               print one JSON object as the last line
  -h, --help           this text

Exits 1 if any request failed.
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '500' },
      'server-cpu-prof': { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const options = {
    devices: wholeNumber('devices', values.devices),
    concurrency: wholeNumber('concurrency', values.concurrency),
    seconds: wholeNumber('seconds', values.seconds),
    rounds: wholeNumber('rounds', values.rounds),
    connections: wholeNumber('connections', values.connections),
  };
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mdm-bench-checkin-'));
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: Math.round(loadavg()[0]! * 100) / 100 };
  progress(`check-in benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, data in ${dir}`);

  const devices: BenchDevice[] = [];
  let server: ServerProcess | undefined;
  let queue: StoreSideQueue | undefined;
  try {
    const ca = await FileCertificateAuthority.openOrCreate(caDirectory(dir), { keyBits: 2048 });
    progress(`issuing ${options.devices} device certificates from the server's CA`);
    const sims = await issueDevices(ca, options.devices);
    const profileDir = values['server-cpu-prof'];
    server = await startServerProcess({ dataDir: dir, env: { MDM_AUTOMATION: 'false' }, ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) });
    queue = await StoreSideQueue.open(dir);
    const target: ServerTarget = { host: server.deviceHost, port: server.devicePort, servername: 'localhost', caPem: ca.certificatePem() };
    devices.push(...sims.map((s) => benchDevice(target, s)));
    if (!procCpuAvailable(server.pid)) throw new Error('/proc/<pid>/stat is not readable: this benchmark needs Linux');
    const baselineCpuMsPerSecond = await idleBaseline(server.pid);
    progress(`server pid ${server.pid}, idle baseline ${baselineCpuMsPerSecond.toFixed(1)} ms CPU/s`);
    const ctx: CheckinContext = { target, devices, serverPid: server.pid, baselineCpuMsPerSecond, concurrency: options.concurrency };

    progress(`enrollment: ${options.devices} devices`);
    const enrollment = await enrollmentPhase(ctx);
    if (enrollment.errors > 0) throw new Error(`enrollment failed: ${enrollment.firstErrors.join('; ')}`);
    progress(`idle check-ins: ${options.seconds} s`);
    const idle = await idlePhase(ctx, options.seconds);
    progress(`command cycles: ${options.rounds} rounds of ${options.devices} commands (queued out of process through the store)`);
    const cycles = await cyclePhase(ctx, queue, options.rounds);
    for (const d of devices) d.connection.close();
    progress(`fresh connections: ${options.connections} with a full TLS handshake`);
    const fullHandshake = await handshakePhase(ctx, options.connections, false);
    progress(`fresh connections: ${options.connections} resuming a TLS session`);
    const resumedHandshake = await handshakePhase(ctx, options.connections, true);

    const results: CheckinResults = { enrollment, idle, cycles, fullHandshake, resumedHandshake };
    const errors = [enrollment, idle, cycles, fullHandshake, resumedHandshake].reduce((n, p) => n + p.errors, 0);
    const out = [
      `check-in benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load average ${machine.loadAverage} at start; ${options.devices} devices, concurrency ${options.concurrency}`,
      `server: separate process (pid ${server.pid}), embedded SQLite store at 'process' durability, Mdm-Signature on every request; server CPU from /proc, idle baseline ${baselineCpuMsPerSecond.toFixed(1)} ms/s subtracted`,
      `commands are queued out of process: a second SqliteEventStore on the server's events.db with CommandQueueService (no admin HTTP API yet)`,
      '',
      ...summaryLines(results, machine.cores),
    ];
    for (const p of [enrollment, idle, cycles, fullHandshake, resumedHandshake]) {
      if (p.errors > 0) out.push(`errors in "${p.name}": ${p.firstErrors.join('; ')}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    if (values.json) {
      const json = { machine, options, serverBaselineCpuMsPerSecond: Math.round(baselineCpuMsPerSecond * 10) / 10, commandsQueued: 'out-of-process through the event store', phases: results, handshake: handshakeCost(results), interference: interference(results), reference: NANOMDM, targets: verdicts(results), errors };
      process.stdout.write(`${JSON.stringify(json)}\n`);
    }
    return errors > 0 ? 1 : 0;
  } finally {
    for (const d of devices) d.connection.close();
    await server?.stop();
    await queue?.close();
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`check-in benchmark failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
