import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../application/ports/clock.js';
import type { CollectionBatch, DocumentWrite } from '../../application/ports/document-store.js';
import type { Logger } from '../../application/ports/logger.js';
import { newCollectionName } from '../../application/read-models/collection-names.js';
import { INVENTORY, InventoryQueries, type DeviceListQuery } from '../../application/read-models/inventory-queries.js';
import { ProjectionRunner, type ProjectionStatus } from '../../application/read-models/projection-runner.js';
import { ReadModels } from '../../application/read-models/read-models.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { PROJECTION_SHARDS, READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { ProjectionWorkers } from '../../infrastructure/readmodel/projection-workers.js';
import { openDocumentStore } from '../../infrastructure/readmodel/open-document-store.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { inventoryProjection } from '../../projections/inventory.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { osVersionKey } from '../../projections/inventory-document.js';
import { progress, wholeNumber } from '../support/progress.js';
import { random, writeSyntheticFleet } from '../support/synthetic-fleet.js';

const HELP = `Usage: npm run bench:projections -- [options]

Measures the read models on the embedded stores (SQLite events, SQLite documents):
  1. replay: a fleet of --devices devices x --events-per-device events (made by the device decider:
     enrollment, inventory queries and their reports, profile installs, NotNow, errors, check-ins,
     interleaved across devices) is folded from the start into every read model (inventory, command
     history, audit history, compliance policies, enrollment overview) by the server's projection
     runner. Figure: events per second, from start until every projection reached the last event.
     Target: >= 20,000 events/s.
  2. query: --query-devices inventory documents (the replayed fleet's documents, varied), queried
     through the inventory query the API uses: two filters and one sort, 50 per page.
     Figure: p50/p95/p99 in ms. Target: p95 <= 50 ms.

Options:
  --devices N            devices in the replay (default 10000)
  --events-per-device N  events per device (default 100)
  --query-devices N      documents for the query figure (default 100000)
  --queries N            queries per shape (default 200)
  --batch N              events per projection batch (default 1000, the server's)
  --runner R             workers (default: one worker thread per read-model shard, as the server
                         runs them) or inline (every read model in one runner on the main thread)
  --only A,B             replay into these read models only (to see what each costs)
  --dir PATH             where to put the database files (default: a new temp dir, removed afterwards);
                         a directory that already holds events.db is replayed again without writing
                         a new fleet
  --skip-replay | --skip-query
  --json                 print one JSON object as the last line
  -h, --help             this text
`;

const quiet: Logger = { debug() {}, info() {}, warn: (m, f) => progress(`warn: ${m} ${JSON.stringify(f ?? {})}`), error: (m, f) => progress(`error: ${m} ${JSON.stringify(f ?? {})}`), child: () => quiet };

async function replay(dir: string, devices: number, eventsPerDevice: number, batchSize: number, only: readonly string[] | undefined, runnerKind: 'workers' | 'inline') {
  const projections = only ? READ_MODEL_PROJECTIONS.filter((p) => only.includes(p.name)) : READ_MODEL_PROJECTIONS;
  const reuse = existsSync(join(dir, 'events.db'));
  // Read models of an earlier run in the same directory are rebuilt from nothing.
  for (const shard of PROJECTION_SHARDS) for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `${shard.file}${suffix}`), { force: true });
  const events = new SqliteEventStore(join(dir, 'events.db'), { durability: 'process' });
  let t = Date.now();
  const written = reuse ? await headPosition(events) : await writeSyntheticFleet(events, { devices, eventsPerDevice, timeOrdered: true, onProgress: (n) => progress(`written ${n} events`) });
  progress(reuse ? `reusing the ${written} events in ${join(dir, 'events.db')}` : `fleet written: ${written} events in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const last = await headPosition(events);
  const report = (slowest: number) => progress(`replay: position ${slowest} of ${last} (${((slowest / last) * 100).toFixed(0)}%), ${(slowest / ((Date.now() - t) / 1000)).toFixed(0)} events/s`);
  const cpu0 = process.cpuUsage();
  t = Date.now();
  let finished: { reached: boolean; failed: ProjectionStatus[] };
  if (runnerKind === 'workers') {
    // The server's way: one worker thread per shard, each with its own read-model file.
    const config = loadConfig({ MDM_DATA_DIR: dir, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0' });
    const shards = only ? PROJECTION_SHARDS.map((s) => ({ ...s, projections: s.projections.filter((p) => only.includes(p.name)) })).filter((s) => s.projections.length > 0) : PROJECTION_SHARDS;
    const workers = new ProjectionWorkers(config, shards, { logger: quiet, batchSize });
    workers.start();
    const ticker = setInterval(() => report(Math.min(...workers.status().map((s) => s.position))), 5_000);
    const reached = await workers.waitFor(last, 3_600_000);
    clearInterval(ticker);
    finished = { reached, failed: workers.status().filter((s) => s.state !== 'running') };
    await workers.stop();
  } else {
    const documents = openSqliteDocumentStore(join(dir, 'readmodels.db'));
    const runner = new ProjectionRunner(events, documents, projections, { clock: systemClock, logger: quiet, batchSize });
    await runner.start();
    const ticker = setInterval(() => report(Math.min(...runner.status().map((s) => s.position))), 5_000);
    const reached = await runner.waitFor(last, 3_600_000);
    clearInterval(ticker);
    finished = { reached, failed: runner.status().filter((s) => s.state !== 'running') };
    await runner.stop();
    await documents.close();
  }
  const seconds = (Date.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (!finished.reached || finished.failed.length > 0) throw new Error(`replay did not complete: ${JSON.stringify(finished.failed)}`);
  const documents = await openDocumentStore(loadConfig({ MDM_DATA_DIR: dir }));
  const inventoryCheckpoint = await documents.readCheckpoint(INVENTORY);
  const inventory = inventoryCheckpoint ? await documents.count(inventoryCheckpoint.collection) : 0;
  await documents.close();
  await events.close();
  return { events: written, seconds, eventsPerSecond: written / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, inventoryDocuments: inventory, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** The last position (events are written by this process only, so a forward scan from the tail is enough). */
async function headPosition(store: SqliteEventStore): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 10_000 });
    if (page.length === 0) return after;
    after = page[page.length - 1]!.position;
  }
}

const MODELS = ['iPhone15,2', 'iPhone16,1', 'iPhone14,7', 'iPad13,18', 'iPad14,3', 'iPhone17,1', 'iPhone15,3', 'iPad16,3'];
const OS = ['16.7.8', '17.5.1', '17.6.1', '18.1', '18.2', '18.3.1'];
const STATES = ['enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'quarantined', 'checked-out', 'unenrolling'] as const;

async function queries(dir: string, count: number, perShape: number) {
  // Real inventory documents as templates: a small fleet folded through the projection.
  const events = new SqliteEventStore(join(dir, 'templates.db'), { durability: 'process' });
  await writeSyntheticFleet(events, { devices: 200, eventsPerDevice: 60, seed: 7 });
  const templates = new Map<string, InventoryDocument>();
  for (let after = 0; ; ) {
    const page = await events.readAll({ after, maxCount: 5_000 });
    if (page.length === 0) break;
    for (const e of page) {
      const id = inventoryProjection.documentId(e);
      if (id === undefined) continue;
      const next = inventoryProjection.apply(templates.get(id), e);
      if (next && 'enrollmentState' in next) templates.set(id, next);
    }
    after = page[page.length - 1]!.position;
  }
  await events.close();
  const pool = [...templates.values()];
  const documents = openSqliteDocumentStore(join(dir, 'query-readmodels.db'));
  const collection = newCollectionName(INVENTORY, inventoryProjection.version, new Date());
  await documents.ensureCollection(collection, inventoryProjection.indexes ?? []);
  const rnd = random(42);
  const base = Date.UTC(2026, 10, 20);
  let expected: { collection: string; position: number } | undefined;
  const t = Date.now();
  for (let i = 0; i < count; i += 2_000) {
    const writes: DocumentWrite[] = [];
    for (let k = i; k < Math.min(i + 2_000, count); k++) {
      const template = pool[k % pool.length]!;
      const os = OS[Math.floor(rnd() * OS.length)]!;
      const doc: InventoryDocument = {
        ...template,
        udid: `00008120-${k.toString(16).toUpperCase().padStart(16, '0')}`,
        serialNumber: `G${k.toString(36).toUpperCase().padStart(10, '0')}`,
        deviceName: `Device ${k}`,
        model: MODELS[Math.floor(rnd() * MODELS.length)]!,
        osVersion: os,
        osVersionKey: osVersionKey(os)!,
        enrollmentState: STATES[Math.floor(rnd() * STATES.length)]!,
        user: `user${k % 20_000}`,
        lastSeenAt: new Date(base - Math.floor(rnd() * 60 * 86_400_000)).toISOString(),
        pushState: rnd() < 0.92 ? 'active' : 'invalidated',
      };
      writes.push({ op: 'put', id: doc.udid, doc: doc as unknown as JsonObject, position: k + 1 });
    }
    const position = Math.min(i + 2_000, count);
    const batch: CollectionBatch = { collection, writes, checkpoint: { name: INVENTORY, collection, position, updatedAt: new Date().toISOString(), expected } };
    await documents.commit([batch]);
    expected = { collection, position };
  }
  progress(`query: ${count} inventory documents written in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const now = new Date(base);
  const inventory = new InventoryQueries(new ReadModels(documents), { now: () => now });
  const shapes: Record<string, (i: number) => DeviceListQuery> = {
    'state+model, sort lastSeenAt desc': (i) => ({ filter: { enrollmentState: 'enrolled', model: MODELS[i % MODELS.length]! }, sort: [{ path: 'lastSeenAt', direction: 'desc' }] }),
    'model+minimum OS, sort deviceName': (i) => ({ filter: { model: MODELS[i % MODELS.length]! }, minimumOsVersion: '18.0', sort: [{ path: 'deviceName', direction: 'asc' }] }),
    'push invalidated+not seen 30 days, sort lastSeenAt': () => ({ filter: { pushState: 'invalidated' }, notSeenForDays: 30, sort: [{ path: 'lastSeenAt', direction: 'asc' }] }),
    'user+state, sort serialNumber': (i) => ({ filter: { user: `user${(i * 7919) % 20_000}`, enrollmentState: 'enrolled' }, sort: [{ path: 'serialNumber', direction: 'asc' }] }),
  };
  const figures: Record<string, { p50: number; p95: number; p99: number; rows: number }> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    for (let w = 0; w < 10; w++) await inventory.list({ ...shape(w), limit: 50 });
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < perShape; i++) {
      const started = process.hrtime.bigint();
      const page = await inventory.list({ ...shape(i), limit: 50 });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      rows += page.devices.length;
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    figures[name] = { p50: at(0.5), p95: at(0.95), p99: at(0.99), rows: rows / perShape };
    progress(`query ${name}: p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms (${(rows / perShape).toFixed(0)} rows/page)`);
  }
  await documents.close();
  return { devices: count, queriesPerShape: perShape, shapes: figures, worstP95: Math.max(...Object.values(figures).map((f) => f.p95)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' }, 'events-per-device': { type: 'string' }, 'query-devices': { type: 'string' }, queries: { type: 'string' }, batch: { type: 'string' }, only: { type: 'string' }, runner: { type: 'string' },
      dir: { type: 'string' }, 'skip-replay': { type: 'boolean' }, 'skip-query': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const devices = wholeNumber('devices', values.devices ?? '10000');
  const perDevice = wholeNumber('events-per-device', values['events-per-device'] ?? '100', 10);
  const queryDevices = wholeNumber('query-devices', values['query-devices'] ?? '100000');
  const perShape = wholeNumber('queries', values.queries ?? '200');
  const batch = wholeNumber('batch', values.batch ?? '1000');
  const runnerKind = values.runner ?? 'workers';
  if (runnerKind !== 'workers' && runnerKind !== 'inline') {
    process.stderr.write('--runner takes workers or inline\n');
    process.exit(2);
  }
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mdm-bench-projections-'));
  mkdirSync(dir, { recursive: true });
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  try {
    const replayed = values['skip-replay'] ? undefined : await replay(dir, devices, perDevice, batch, values.only?.split(','), runnerKind);
    const queried = values['skip-query'] ? undefined : await queries(dir, queryDevices, perShape);
    process.stdout.write(`machine: ${machine}\n`);
    if (replayed) process.stdout.write(`replay: ${replayed.events} events (${devices} devices) into ${values.only ?? `${READ_MODEL_PROJECTIONS.length} read models`} in ${replayed.seconds.toFixed(1)} s = ${replayed.eventsPerSecond.toFixed(0)} events/s (target >= 20000), ${replayed.cpuSeconds.toFixed(1)} CPU s, peak RSS ${replayed.peakRssMb.toFixed(0)} MB\n`);
    if (queried) process.stdout.write(`query: ${queried.devices} devices, worst p95 ${queried.worstP95.toFixed(2)} ms (target <= 50)\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ machine, replay: replayed, query: queried })}\n`);
  } finally {
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
