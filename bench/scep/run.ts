import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import type { ClientCipher } from '../../test/support/scep-client-message.js';
import { idleBaseline } from '../support/phase.js';
import { procCpuAvailable } from '../support/proc-cpu.js';
import { progress, wholeNumber } from '../support/progress.js';
import { caDirectory, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { keyBits, recipientCertificate } from './ca-certificates.js';
import { connectionCost, issuancePhase, type ConnectionCost, type IssuanceFigures } from './issuance-phase.js';
import { clientPool, pkiMessages } from './pki-messages.js';
import { ScepClient, type ScepEndpoint } from './scep-http.js';
import { scepserverAvailable, startScepserver, type ScepserverProcess } from './scepserver-process.js';

const HELP = `Usage: node dist/bench/scep/run.js [options]

Server CPU per certificate issuance through SCEP PKIOperation (POST, PKCSReq, RSA-2048 client keys),
ours (\`mdm serve\` as its own process, /scep on its plain-HTTP listener by default, embedded SQLite
store, log level warn) side by side with micromdm's scepserver (Debian package \`scep\`, plain HTTP,
file depot) under the same load.
Client keys are generated once (a small pool, reused: every request has its own transaction id and
commonName) and every pkiMessage is built before anything is timed, each server's encrypted to its
own recipient (our RA certificate; scepserver's CA). Both CAs get keys of the same size.

Each server gets an untimed warm-up, then the timed requests over --concurrency keep-alive
connections opened during the warm-up, so no TLS handshake falls inside the timed stretch (the
report counts them). Each CertRep must be pkiStatus SUCCESS for its own transaction id. Server CPU
comes from /proc/<pid>/stat (all threads), less the process's idle baseline. Then, separately, what a
new connection costs each server (for ours a full TLS handshake), from GetCACaps over fresh versus
kept-alive connections.

Target: our server CPU per issuance <= scepserver's (ratio <= 1).

Options:
  --requests N      timed issuances per server (default 300)
  --concurrency N   requests in flight (default 8)
  --warmup N        untimed issuances per server first (default 2 x concurrency)
  --keys N          client RSA-2048 keys in the pool (default 8)
  --cipher C        envelope cipher: aes256-CBC, aes128-CBC or des-EDE3-CBC (default aes256-CBC)
  --ca-bits N       RSA size of both CAs' keys: 2048 or 3072 (default 2048)
  --transport T     how we are reached: http (the plain-HTTP listener, MDM_HTTP_PORT: like for like
                    with scepserver) or https (the device listener) (default http)
  --connections N   fresh connections per server for the connection-cost figure, 0 to skip (default 100)
  --server-cpu-prof D  run our server with --cpu-prof, profile written to directory D
  --keep-dir        keep the data directories (and scepserver.log) instead of removing them
  --json            print one JSON object as the last line
  -h, --help        this text

Needs Linux (/proc) and scepserver on PATH (or SCEPSERVER=/path). Exits 1 if any of our issuances
failed (scepserver's refusals are reported, not fatal: its file depot races under concurrency),
2 on bad options, 3 when scepserver is missing.
`;

const CIPHERS: readonly ClientCipher[] = ['aes256-CBC', 'aes128-CBC', 'des-EDE3-CBC'];
const CAPABILITY: Record<ClientCipher, string> = { 'aes256-CBC': 'AES', 'aes128-CBC': 'AES', 'des-EDE3-CBC': 'DES3' };

interface ServerUnderTest {
  readonly name: 'ours' | 'scepserver';
  readonly pid: number;
  readonly endpoint: ScepEndpoint;
  readonly transport: string;
}

interface ServerResult {
  readonly name: string;
  readonly transport: string;
  readonly pid: number;
  readonly caCaps: readonly string[];
  readonly caKeyBits: number;
  readonly recipientKeyBits: number;
  readonly recipient: string;
  readonly idleBaselineCpuMsPerSecond: number;
  readonly warmup: IssuanceFigures;
  readonly timed: IssuanceFigures;
  readonly connection?: ConnectionCost;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '8' },
      warmup: { type: 'string' },
      keys: { type: 'string', default: '8' },
      cipher: { type: 'string', default: 'aes256-CBC' },
      'ca-bits': { type: 'string', default: '2048' },
      connections: { type: 'string', default: '100' },
      transport: { type: 'string', default: 'http' },
      'keep-dir': { type: 'boolean', default: false },
      'server-cpu-prof': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const concurrency = wholeNumber('concurrency', values.concurrency);
  const cipher = values.cipher as ClientCipher;
  if (!CIPHERS.includes(cipher)) {
    process.stderr.write(`--cipher takes one of ${CIPHERS.join(', ')}, got ${JSON.stringify(values.cipher)}\n`);
    return 2;
  }
  if (values.transport !== 'http' && values.transport !== 'https') {
    process.stderr.write(`--transport takes http or https, got ${JSON.stringify(values.transport)}\n`);
    return 2;
  }
  const transport = values.transport;
  const options = {
    transport,
    requests: wholeNumber('requests', values.requests),
    concurrency,
    warmup: values.warmup === undefined ? 2 * concurrency : wholeNumber('warmup', values.warmup, 0),
    keys: wholeNumber('keys', values.keys),
    cipher,
    caBits: caBitsOption(values['ca-bits']),
    connections: wholeNumber('connections', values.connections, 0),
  };
  if (!scepserverAvailable()) {
    process.stderr.write('scepserver is not on PATH (apt-get install scep, or set SCEPSERVER=/path/to/scepserver)\n');
    return 3;
  }
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: Math.round(loadavg()[0]! * 100) / 100 };
  const dir = mkdtempSync(join(tmpdir(), 'mdm-bench-scep-'));
  progress(`SCEP issuance benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, data in ${dir}`);
  const challenge = randomBytes(12).toString('hex');
  let ours: ServerProcess | undefined;
  let theirs: ScepserverProcess | undefined;
  const clients: ScepClient[] = [];
  try {
    const ourDir = join(dir, 'ours');
    const ca = await FileCertificateAuthority.openOrCreate(caDirectory(ourDir), { keyBits: options.caBits });
    const profileDir = values['server-cpu-prof'];
    const httpPort = transport === 'http' ? await freePort() : undefined;
    ours = await startServerProcess({ dataDir: ourDir, env: { MDM_SCEP_CHALLENGE: challenge, ...(httpPort ? { MDM_HTTP_PORT: String(httpPort) } : {}) }, ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) });
    const theirDir = join(dir, 'scepserver');
    mkdirSync(theirDir);
    theirs = await startScepserver(theirDir, { caBits: options.caBits, challenge });
    const servers: ServerUnderTest[] = [
      httpPort
        ? { name: 'ours', pid: ours.pid, transport: 'HTTP (keep-alive)', endpoint: { name: 'ours', host: ours.deviceHost, port: httpPort, path: '/scep' } }
        : { name: 'ours', pid: ours.pid, transport: 'HTTPS (keep-alive)', endpoint: { name: 'ours', host: ours.deviceHost, port: ours.devicePort, path: '/scep', tls: { caPem: ca.certificatePem(), servername: 'localhost' } } },
      { name: 'scepserver', pid: theirs.pid, transport: 'HTTP (keep-alive)', endpoint: { name: 'scepserver', host: '127.0.0.1', port: theirs.port, path: '/scep' } },
    ];
    for (const s of servers) if (!procCpuAvailable(s.pid)) throw new Error('/proc/<pid>/stat is not readable: this benchmark needs Linux');

    progress(`generating ${options.keys} client RSA-2048 keys`);
    const pool = clientPool(options.keys);
    const prepared = [];
    for (const server of servers) {
      const client = new ScepClient(server.endpoint, { keepAlive: true, maxSockets: options.concurrency });
      clients.push(client);
      const caps = (await client.get('operation=GetCACaps')).body.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      if (!caps.includes(CAPABILITY[cipher])) throw new Error(`${server.name} does not advertise ${CAPABILITY[cipher]} (GetCACaps: ${caps.join(', ')})`);
      const caCert = await client.get('operation=GetCACert');
      if (caCert.status !== 200) throw new Error(`${server.name} GetCACert: HTTP ${caCert.status}`);
      const { recipientPem, certificates } = recipientCertificate(caCert.body);
      const caCertificate = certificates.find((c) => c.ca) ?? certificates[0]!;
      const recipient = certificates.find((c) => c.toString() === recipientPem)!;
      progress(`${server.name}: building ${options.warmup + options.requests} pkiMessages (${cipher}) for ${recipient.subject.replace(/\n/g, ', ')}`);
      const messages = pkiMessages(options.warmup + options.requests, pool, recipientPem, { challenge, cipher, prefix: `bench-${server.name}` });
      prepared.push({ server, client, caps, caKeyBits: keyBits(caCertificate), recipientKeyBits: keyBits(recipient), recipient: recipient === caCertificate ? 'CA certificate' : 'RA certificate', messages });
    }

    const results: ServerResult[] = [];
    for (const p of prepared) {
      const baseline = await idleBaseline(p.server.pid);
      progress(`${p.server.name} (pid ${p.server.pid}): idle ${baseline.toFixed(1)} ms CPU/s; warm-up ${options.warmup}, then ${options.requests} timed issuances at concurrency ${options.concurrency}`);
      const warmup = await issuancePhase(p.client, p.server.pid, baseline, p.messages.slice(0, options.warmup), options.concurrency);
      const timedFigures = await issuancePhase(p.client, p.server.pid, baseline, p.messages.slice(options.warmup), options.concurrency);
      let connection: ConnectionCost | undefined;
      if (options.connections > 0) {
        progress(`${p.server.name}: ${options.connections} GetCACaps over fresh connections and over kept-alive ones`);
        const fresh = new ScepClient(p.server.endpoint, { keepAlive: false, maxSockets: options.concurrency });
        clients.push(fresh);
        connection = await connectionCost(fresh, p.client, p.server.pid, baseline, options.connections, options.concurrency);
      }
      results.push({
        name: p.server.name, transport: p.server.transport, pid: p.server.pid, caCaps: p.caps, caKeyBits: p.caKeyBits, recipientKeyBits: p.recipientKeyBits, recipient: p.recipient,
        idleBaselineCpuMsPerSecond: Math.round(baseline * 10) / 10, warmup, timed: timedFigures, ...(connection ? { connection } : {}),
      });
    }

    const [our, their] = [results.find((r) => r.name === 'ours')!, results.find((r) => r.name === 'scepserver')!];
    const ratio = their.timed.serverCpuMsPerIssuance > 0 ? Math.round((our.timed.serverCpuMsPerIssuance / their.timed.serverCpuMsPerIssuance) * 1000) / 1000 : Infinity;
    // scepserver's file depot races on its serial file under concurrency ("failed to sign CSR ...
    // serial: file exists" in its log): those requests cost it less than an issuance, and dividing
    // its CPU by all requests, not by its successes, leans against us. Our failures void the run.
    const ourFailures = our.warmup.failures + our.timed.failures;
    const theirFailures = their.warmup.failures + their.timed.failures;
    const targetMet = ourFailures === 0 && ratio <= 1;
    const out = [
      `SCEP issuance benchmark: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load average ${machine.loadAverage} at start`,
      `PKCSReq by POST, RSA-2048 client keys (pool of ${options.keys}, pre-built messages), ${cipher} envelopes, SHA-256, CA keys ${options.caBits} bits; ${options.requests} timed issuances per server after ${options.warmup} untimed, concurrency ${options.concurrency}`,
      `server CPU from /proc/<pid>/stat, each process's idle baseline subtracted; the load generator shares the cores`,
      '',
      ...results.flatMap((r) => serverLines(r)),
      '',
      `ratio (ours / scepserver, server CPU per issuance): ${ratio.toFixed(3)}  — target <= 1: ${targetMet ? 'MET' : 'NOT MET'}${ourFailures > 0 ? ` (${ourFailures} of our issuances failed: the run is void)` : ''}`,
      ...(theirFailures > 0 ? [`scepserver refused ${theirFailures} requests (its file depot races on the serial file under concurrency; see its log with --keep-dir); its CPU is divided by all its requests, which favours it`] : []),
      transport === 'http' ? 'both servers over plain HTTP: no TLS on either side' : `TLS: our timed issuances ran over connections opened in the warm-up (${our.timed.connectionsOpened} handshakes inside the timed stretch), so the ratio holds TLS record costs but no handshakes${our.connection ? `; a full handshake costs our server ${our.connection.serverCpuMsPerConnection.toFixed(3)} ms CPU (${(our.connection.serverCpuMsPerConnection / Math.max(our.timed.serverCpuMsPerIssuance, 1e-9) * 100).toFixed(1)}% of an issuance)` : ''}`,
    ];
    for (const r of results) for (const phase of [r.warmup, r.timed]) if (phase.failures > 0) out.push(`failures at ${r.name}: ${phase.firstFailures.join('; ')}`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ benchmark: 'scep-issuance', machine, options, servers: results, ratio, target: { ratioAtMost: 1, met: targetMet }, failures: { ours: ourFailures, scepserver: theirFailures } })}\n`);
    }
    return ourFailures > 0 ? 1 : 0;
  } finally {
    for (const c of clients) c.close();
    await ours?.stop();
    await theirs?.stop();
    if (values['keep-dir']) progress(`data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

// What FileCertificateAuthority can create, and scepserver can too.
function caBitsOption(value: string | undefined): 2048 | 3072 {
  if (value === '2048' || value === '3072') return Number(value) as 2048 | 3072;
  process.stderr.write(`--ca-bits takes 2048 or 3072, got ${JSON.stringify(value)}\n`);
  process.exit(2);
}

function serverLines(r: ServerResult): string[] {
  const t = r.timed;
  return [
    `${r.name}: ${r.transport}, pid ${r.pid}, envelopes to its ${r.recipient} (${r.recipientKeyBits} bits), CA ${r.caKeyBits} bits, idle ${r.idleBaselineCpuMsPerSecond} ms CPU/s`,
    `  issued ${t.issued}/${t.requests} in ${t.seconds} s = ${t.issuancesPerSecond}/s, latency p50 ${t.latencyMs.p50} ms, p99 ${t.latencyMs.p99} ms`,
    `  server CPU ${t.serverCpuMs} ms = ${t.serverCpuMsPerIssuance.toFixed(3)} ms per issuance (generator ${t.generatorCpuMs} ms, other processes ${t.otherProcessesCpuMs} ms)`,
    ...(r.connection ? [`  new connection: ${r.connection.serverCpuMsPerConnection.toFixed(3)} ms server CPU (GetCACaps ${r.connection.freshConnectionCpuMsPerRequest.toFixed(3)} ms fresh vs ${r.connection.keepAliveCpuMsPerRequest.toFixed(3)} ms kept alive, ${r.connection.requests} each${r.connection.failures ? `, ${r.connection.failures} failed` : ''})`] : []),
  ];
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`SCEP benchmark failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
