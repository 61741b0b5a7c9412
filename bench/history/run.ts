import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceStreamId } from '../../domain/device/device.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { DeviceConnection, type ServerTarget } from '../support/device-connection.js';
import { progress, wholeNumber } from '../support/progress.js';
import { caDirectory, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { authenticateBody, CHECK_IN, issueDevices, signedPut, tokenUpdateBody, type SimDevice } from '../support/sim-devices.js';
import { round3 } from '../support/stats.js';
import { buildHistory } from './build-history.js';
import { alternate, IdleProbe, type IdleFigures } from './measure-idles.js';

const HELP = `Usage: node dist/bench/history/run.js [options]

"A device with 10,000 events answers Idle within 1.5x the time of a fresh device."
Enrolls a fresh device and a long-history device (and a third one that only warms the server up),
gives the second --events events of realistic history (DeviceInformation cycles with NotNow
deferrals, changed results and DeviceSeen, appended by the application's own services on the
server's events.db), restarts the server (\`mdm serve\`, a separate process) so nothing is cached,
then measures Idle latency over keep-alive TLS with Mdm-Signature: the first Idle after the
restart (cold: the whole stream is folded once) and the median and p99 of --idles more.

Options:
  --events N   events in the long device's stream (default 10000)
  --idles N    Idles measured per device after the first (default 500)
  --dir PATH   data directory (default: a new temp dir, removed afterwards)
  --json       print one JSON object as the last line
  -h, --help   this text

Exits 1 if the long-history device's median Idle is more than 1.5x the fresh device's.
`;

const LIMIT = 1.5;

async function enroll(target: ServerTarget, device: SimDevice, n: number): Promise<void> {
  const connection = new DeviceConnection(target);
  try {
    for (const body of [authenticateBody(device, n), tokenUpdateBody(device)]) {
      const r = await connection.send(signedPut(target, device, CHECK_IN, body));
      if (r.status !== 200) throw new Error(`enrollment of ${device.udid} answered ${r.status}`);
    }
  } finally {
    connection.close();
  }
}

/** Event types in a device's stream and how many of each, as an auditor would read them. */
async function streamComposition(dataDir: string, udid: string): Promise<Record<string, number>> {
  const reader = new SqliteEventStore(join(dataDir, 'events.db'));
  try {
    const counts: Record<string, number> = {};
    for (const e of await reader.readStream(deviceStreamId(udid))) counts[e.type] = (counts[e.type] ?? 0) + 1;
    return counts;
  } finally {
    await reader.close();
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000' },
      idles: { type: 'string', default: '500' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const events = wholeNumber('events', values.events);
  const idles = wholeNumber('idles', values.idles);
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mdm-bench-history-'));
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: Math.round(loadavg()[0]! * 100) / 100 };
  progress(`history benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, data in ${dir}`);
  let server: ServerProcess | undefined;
  const probes: IdleProbe[] = [];
  try {
    const ca = await FileCertificateAuthority.openOrCreate(caDirectory(dir), { keyBits: 2048 });
    const [warm, fresh, long] = (await issueDevices(ca, 3)) as [SimDevice, SimDevice, SimDevice];
    server = await startServerProcess({ dataDir: dir, env: { MDM_AUTOMATION: 'false' } });
    let target: ServerTarget = { host: server.deviceHost, port: server.devicePort, servername: 'localhost', caPem: ca.certificatePem() };
    progress('enrolling three devices (warm-up, fresh, long history)');
    for (const [n, d] of [warm, fresh, long].entries()) await enroll(target, d, n);
    await server.stop();

    progress(`building a history of ${events} events for the long-history device (server stopped)`);
    const started = Date.now();
    const built = await buildHistory(dir, long, events, (n) => progress(`  ${n} events`));
    progress(`  ${built} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    progress('restarting the server: nothing cached');
    server = await startServerProcess({ dataDir: dir, env: { MDM_AUTOMATION: 'false' } });
    target = { ...target, port: server.devicePort };
    const warmUp = new IdleProbe(target, warm, 'warm-up', 0);
    const history = await streamComposition(dir, long.udid);
    const freshProbe = new IdleProbe(target, fresh, 'fresh device', total(await streamComposition(dir, fresh.udid)));
    const longProbe = new IdleProbe(target, long, 'long-history device', total(history));
    probes.push(warmUp, freshProbe, longProbe);
    for (const p of probes) await p.connect();
    // The first requests after a start pay for JIT compilation; a third device pays it for both.
    for (let i = 0; i < 300; i++) await warmUp.send();

    const coldFresh = await freshProbe.send();
    const coldLong = await longProbe.send();
    progress(`cold first Idle: fresh ${coldFresh.toFixed(2)} ms, long history ${coldLong.toFixed(2)} ms`);
    progress(`${idles} Idles per device, alternating in blocks of 50`);
    await alternate([freshProbe, longProbe], idles, server.pid);

    const figures: [IdleFigures, IdleFigures] = [freshProbe.figures(coldFresh), longProbe.figures(coldLong)];
    const ratio = { median: round3(figures[1].medianMs / figures[0].medianMs), p99: round3(figures[1].p99Ms / figures[0].p99Ms), cold: round3(coldLong / coldFresh) };
    const within = ratio.median <= LIMIT;
    const lines = [
      `history benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load average ${machine.loadAverage} at start; server restarted after the history was built, Idles over keep-alive TLS with Mdm-Signature`,
      '',
      `${'device'.padEnd(22)}${'events'.padStart(8)}${'first Idle ms'.padStart(15)}${'median ms'.padStart(11)}${'p99 ms'.padStart(9)}${'server CPU ms/Idle'.padStart(20)}`,
      ...figures.map((f) => `${f.label.padEnd(22)}${String(f.events).padStart(8)}${String(f.coldMs).padStart(15)}${String(f.medianMs).padStart(11)}${String(f.p99Ms).padStart(9)}${String(f.serverCpuMsPerIdle).padStart(20)}`),
      `long-history stream: ${Object.entries(history).map(([type, n]) => `${type} ${n}`).join(', ')}`,
      '',
      `long/fresh: median ${ratio.median}x, p99 ${ratio.p99}x, first Idle after restart ${ratio.cold}x`,
      `  (the first Idle folds the whole stream once and, for both devices, records DeviceSeen; later Idles start from the server's cached state and read only newer events)`,
      `(server CPU is read in clock ticks, usually 10 ms: approximate for a few hundred Idles or fewer)`,
      `target (median Idle of a ${built}-event device within ${LIMIT}x of a fresh device's): ${within ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ machine, options: { events, idles }, devices: figures, history, ratio, limit: LIMIT, within })}\n`);
    return within ? 0 : 1;
  } finally {
    for (const p of probes) p.connection.close();
    await server?.stop();
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`history benchmark failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
