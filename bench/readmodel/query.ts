import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CollectionBatch, DocumentQuery, DocumentWrite, IndexDeclaration } from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { DocumentStorage } from '../../infrastructure/readmodel/sqlite/schema.js';
import { SqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { progress, wholeNumber } from '../support/progress.js';
import { elapsedMs, summarize } from '../support/stats.js';

const HELP = `Usage: npm run bench:readmodel -- [options]

Measures the embedded SQLite read-model store with inventory-like device documents (3-8 KB):
  - load: documents written per second of commit time, in commits of --batch writes (new documents)
  - replay: documents rewritten per second of commit time, in commits of --batch writes (updates)
  - query: two equality filters and one sort (enrollmentState, model, lastSeenAt desc), limit 50:
    first pages, and pages reached through a cursor 10 pages deep; p50/p95/p99 in ms
  - count over the same filters; countBy(pushState) over the enrolled devices (at most 30 samples)

Options:
  --devices N     documents in the collection (default 100000)
  --queries N     queries per kind (default 400)
  --batch N       writes per commit (default 4000)
  --storage S     text, jsonb or both (default both)
  --dir PATH      where to put the database files (default: a new temp dir, removed afterwards)
  --json          print one JSON object as the last line
  -h, --help      this text
`;

const STATES = ['enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'enrolled', 'quarantined', 'checked-out', 'authenticated', 'unenrolling'];
const MODELS = ['iPhone15,2', 'iPhone15,3', 'iPhone16,1', 'iPhone16,2', 'iPad13,1', 'iPad14,3', 'Mac14,2', 'Mac15,3', 'AppleTV14,1', 'iPhone17,1'];
const INDEXES: IndexDeclaration[] = [
  { name: 'byStateModelSeen', fields: [{ path: 'enrollmentState', direction: 'asc' }, { path: 'model', direction: 'asc' }, { path: 'lastSeenAt', direction: 'desc' }] },
  { name: 'bySerial', fields: [{ path: 'serialNumber', direction: 'asc' }] },
  { name: 'byLastSeen', fields: [{ path: 'lastSeenAt', direction: 'desc' }] },
];

/** Deterministic pseudo-random numbers, so runs compare. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function device(i: number, version: number, random: () => number): JsonObject {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const time = (daysBack: number) => new Date(Date.UTC(2026, 10, 1) - Math.floor(random() * daysBack * 86_400_000)).toISOString();
  const apps = Array.from({ length: 15 + Math.floor(random() * 55) }, (_, a) => ({
    identifier: `com.vendor${a % 17}.app${a}`, name: `Application ${a}`, version: `${1 + (a % 9)}.${a % 13}.${version}`, shortVersion: `${1 + (a % 9)}.${a % 13}`, bundleSize: 1_000_000 + a * 7919,
  }));
  return {
    udid: `00008110-${String(i).padStart(16, '0')}`, serialNumber: `F${String(i).padStart(11, '0')}`, model: pick(MODELS), modelName: 'iPhone', productName: 'iPhone15,2',
    deviceName: `Device ${i}`, osVersion: '17.4.1', osVersionKey: '00017.00004.00001', buildVersion: '21E236', capacityGb: 128, availableCapacityGb: Math.round(random() * 100),
    batteryLevel: Math.round(random() * 100) / 100, imei: `35${String(i).padStart(13, '0')}`, wifiMac: 'f0:18:98:00:00:01', supervised: random() < 0.7,
    enrollmentState: pick(STATES), enrollmentId: `enr-${i}`, groups: ['all', `site-${i % 40}`], groupsKey: `,all,site-${i % 40},`, firstSeenAt: time(400), lastSeenAt: time(30),
    pushState: random() < 0.9 ? 'active' : 'invalidated', pendingCommands: Math.floor(random() * 3), failedCommands: 0,
    security: { passcodePresent: random() < 0.9, passcodeCompliant: true, hardwareEncryptionCaps: 3, reportedAt: time(30) },
    apps: { items: apps, reportedAt: time(30) }, appCount: apps.length, factsChangedAt: { passcode: time(100), apps: time(30) }, updatedAt: time(10), revision: version,
  };
}

interface Figures {
  storage: DocumentStorage;
  meanDocumentBytes: number;
  fileMb: number;
  loadDocsPerSec: number;
  replayDocsPerSec: number;
  commitMs: { p50: number; p95: number; p99: number };
  firstPageMs: { p50: number; p95: number; p99: number };
  deepPageMs: { p50: number; p95: number; p99: number };
  countMs: { p50: number; p95: number; p99: number };
  countByMs: { p50: number; p95: number; p99: number };
}

async function measure(storage: DocumentStorage, dir: string, devices: number, queries: number, batchSize: number): Promise<Figures> {
  const file = join(dir, `readmodel-${storage}.db`);
  const store = new SqliteDocumentStore(file, { storage });
  const collection = 'inventory';
  const checkpoint = 'inventory';
  try {
    await store.ensureCollection(collection, INDEXES);
    let position = 0;
    let bytes = 0;
    const commitTimes: number[] = [];
    /** Store throughput: documents are made before the clock starts, as the projection would make them. */
    const write = async (version: number): Promise<number> => {
      const random = rng(version);
      let spent = 0;
      for (let from = 0; from < devices; from += batchSize) {
        const writes: DocumentWrite[] = [];
        for (let i = from; i < Math.min(devices, from + batchSize); i++) {
          const doc = device(i, version, random);
          if (version === 1) bytes += JSON.stringify(doc).length;
          writes.push({ op: 'put', id: doc.udid as string, doc, position: ++position });
        }
        const batch: CollectionBatch = { collection, writes, checkpoint: { name: checkpoint, collection, position, updatedAt: new Date().toISOString(), expected: from === 0 && version === 1 ? undefined : { collection, position: position - writes.length } } };
        const t = process.hrtime.bigint();
        await store.commit([batch]);
        const ms = elapsedMs(t);
        commitTimes.push(ms);
        spent += ms;
      }
      return devices / (spent / 1000);
    };
    progress(`${storage}: loading ${devices} documents in commits of ${batchSize}`);
    const loadDocsPerSec = await write(1);
    commitTimes.length = 0;
    progress(`${storage}: rewriting ${devices} documents (replay)`);
    const replayDocsPerSec = await write(2);
    const commitMs = summarize(commitTimes);

    const random = rng(99);
    const filterOf = () => ({ enrollmentState: STATES[Math.floor(random() * STATES.length)]!, model: MODELS[Math.floor(random() * MODELS.length)]! });
    const query = (): DocumentQuery => ({ filter: filterOf(), sort: [{ path: 'lastSeenAt', direction: 'desc' }], limit: 50 });
    const timed = async (run: () => Promise<unknown>, times = queries): Promise<number[]> => {
      for (let i = 0; i < Math.min(20, times); i++) await run();
      const samples: number[] = [];
      for (let i = 0; i < times; i++) {
        const t = process.hrtime.bigint();
        await run();
        samples.push(elapsedMs(t));
      }
      return samples;
    };
    progress(`${storage}: ${queries} first pages`);
    const firstPageMs = summarize(await timed(() => store.find(collection, query())));
    progress(`${storage}: ${queries} pages 10 deep`);
    const cursors: Array<{ q: DocumentQuery; cursor: string }> = [];
    for (let i = 0; i < 50; i++) {
      const q = query();
      let page = await store.find(collection, q);
      for (let p = 0; p < 9 && page.nextCursor; p++) page = await store.find(collection, { ...q, cursor: page.nextCursor });
      if (page.nextCursor) cursors.push({ q, cursor: page.nextCursor });
    }
    let k = 0;
    const deepPageMs = summarize(await timed(() => { const c = cursors[k++ % cursors.length]!; return store.find(collection, { ...c.q, cursor: c.cursor }); }));
    progress(`${storage}: ${queries} counts and countBy`);
    const countMs = summarize(await timed(() => store.count(collection, filterOf())));
    // countBy reads every matching document (no index holds pushState): fewer samples.
    const countByMs = summarize(await timed(() => store.countBy(collection, 'pushState', { enrollmentState: 'enrolled' }), Math.min(queries, 30)));
    return {
      storage, meanDocumentBytes: Math.round(bytes / devices), fileMb: Math.round(statSync(file).size / 1e6), loadDocsPerSec: Math.round(loadDocsPerSec),
      replayDocsPerSec: Math.round(replayDocsPerSec), commitMs, firstPageMs, deepPageMs, countMs, countByMs,
    };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string' }, queries: { type: 'string' }, batch: { type: 'string' }, storage: { type: 'string' },
      dir: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const devices = values.devices === undefined ? 100_000 : wholeNumber('devices', values.devices);
  const queries = values.queries === undefined ? 400 : wholeNumber('queries', values.queries);
  const batch = values.batch === undefined ? 4000 : wholeNumber('batch', values.batch);
  const storages: DocumentStorage[] = values.storage === undefined || values.storage === 'both' ? ['jsonb', 'text'] : values.storage === 'text' || values.storage === 'jsonb' ? [values.storage] : [];
  if (storages.length === 0) {
    process.stderr.write(`--storage takes text, jsonb or both, got ${JSON.stringify(values.storage)}\n`);
    process.exit(2);
  }
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mdm-bench-readmodel-'));
  try {
    const results: Figures[] = [];
    for (const storage of storages) {
      const f = await measure(storage, dir, devices, queries, batch);
      results.push(f);
      const ms = (s: Figures['firstPageMs']) => `p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms`;
      process.stdout.write(`${storage}: ${devices} documents of ${f.meanDocumentBytes} bytes on average, file ${f.fileMb} MB
  load      ${f.loadDocsPerSec} documents/s
  replay    ${f.replayDocsPerSec} documents/s (commit of ${batch}: ${ms(f.commitMs)})
  page 1    ${ms(f.firstPageMs)}
  page 11   ${ms(f.deepPageMs)}
  count     ${ms(f.countMs)}
  countBy   ${ms(f.countByMs)}
`);
    }
    if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    if (values.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
