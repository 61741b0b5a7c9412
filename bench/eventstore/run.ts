import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NewEvent } from '../../application/ports/event-store.js';
import type { Durability } from '../../infrastructure/eventstore/sqlite/schema.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';

const HELP = `Usage: npm run bench:eventstore -- [options]

Measures the embedded SQLite event store at both durability levels:
  - single-event appends/s across 1,000 streams, one append in flight and 64 in flight
  - events/s appended in batches of 100
  - readAll events/s (pages of 1,000)
  - commit latency at 'power' (one append in flight: one fsync each) and raw fsync latency

Options:
  --appends N     single-event appends per run (default 20000)
  --batches N     batches of 100 events (default 200)
  --dir PATH      where to put the database files (default: a new temp dir, removed afterwards)
  --json          print one JSON object as the last line
  -h, --help      this text
`;

interface Figures {
  durability: Durability;
  singleAppendsPerSec: number;
  singleAppendsPerSecConcurrent64: number;
  batchEventsPerSec: number;
  readAllEventsPerSec: number;
  commitLatencyMs: { p50: number; p99: number };
}

const event = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'CommandQueued',
  data: { commandUuid: randomUUID(), requestType: 'DeviceInformation', queries: ['UDID', 'OSVersion', 'SerialNumber'], n },
  metadata: { correlationId: randomUUID(), actor: { kind: 'admin', id: 'bench' }, occurredAt: new Date().toISOString(), version: 1 },
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number) => Math.round(n);
const progress = (msg: string) => process.stderr.write(`  ${msg}\n`);

async function measure(durability: Durability, dir: string, appends: number, batches: number): Promise<Figures> {
  const file = join(dir, `events-${durability}.db`);
  const store = new SqliteEventStore(file, { durability });
  const streams = Array.from({ length: 1000 }, (_, i) => `device-bench-${durability}-${i}`);
  try {
    // One append in flight: each pays its own commit (and, at power, its own fsync).
    progress(`${durability}: ${appends} single-event appends, one in flight`);
    const latencies: number[] = [];
    let t = process.hrtime.bigint();
    for (let i = 0; i < appends; i++) {
      const s = process.hrtime.bigint();
      await store.append(streams[i % streams.length]!, [event(i)], 'any');
      latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const single = appends / (Number(process.hrtime.bigint() - t) / 1e9);

    // 64 in flight: group commit lets one commit serve many appends.
    progress(`${durability}: ${appends} single-event appends, 64 in flight`);
    t = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < appends) {
        const i = next++;
        await store.append(streams[i % streams.length]!, [event(i)], 'any');
      }
    }));
    const concurrent = appends / (Number(process.hrtime.bigint() - t) / 1e9);

    progress(`${durability}: ${batches} batches of 100 events`);
    t = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      await store.append(streams[b % streams.length]!, Array.from({ length: 100 }, (_, i) => event(i)), 'any');
    }
    const batch = (batches * 100) / (Number(process.hrtime.bigint() - t) / 1e9);

    progress(`${durability}: readAll`);
    t = process.hrtime.bigint();
    let read = 0;
    let after: number | undefined;
    for (;;) {
      const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1000 });
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1]!.position;
    }
    const readAll = read / (Number(process.hrtime.bigint() - t) / 1e9);
    latencies.sort((a, b) => a - b);
    return {
      durability,
      singleAppendsPerSec: round(single),
      singleAppendsPerSecConcurrent64: round(concurrent),
      batchEventsPerSec: round(batch),
      readAllEventsPerSec: round(readAll),
      commitLatencyMs: { p50: Number(percentile(latencies, 50).toFixed(3)), p99: Number(percentile(latencies, 99).toFixed(3)) },
    };
  } finally {
    await store.close();
  }
}

/** What the disk itself costs: 4 KiB write + fsync, the floor under every 'power' commit. */
function rawFsync(dir: string, n = 200): { p50: number; p99: number } {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, block);
      const s = process.hrtime.bigint();
      fsyncSync(fd);
      samples.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  } finally {
    closeSync(fd);
  }
  samples.sort((a, b) => a - b);
  return { p50: Number(percentile(samples, 50).toFixed(3)), p99: Number(percentile(samples, 99).toFixed(3)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      appends: { type: 'string', default: '20000' },
      batches: { type: 'string', default: '200' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const appends = Number(values.appends);
  const batches = Number(values.batches);
  if (!Number.isInteger(appends) || appends < 1 || !Number.isInteger(batches) || batches < 1) {
    process.stderr.write('--appends and --batches take whole numbers >= 1\n');
    process.exitCode = 2;
    return;
  }
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'mdm-bench-'));
  try {
    process.stderr.write(`event store benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}, files in ${dir}\n`);
    const results = [await measure('process', dir, appends, batches), await measure('power', dir, appends, batches)];
    const fsync = rawFsync(dir);
    for (const r of results) {
      process.stdout.write(
        `${r.durability.padEnd(7)}  single appends/s (1 in flight): ${r.singleAppendsPerSec}  (64 in flight): ${r.singleAppendsPerSecConcurrent64}  ` +
          `batch-of-100 events/s: ${r.batchEventsPerSec}  readAll events/s: ${r.readAllEventsPerSec}  commit latency p50/p99 ms: ${r.commitLatencyMs.p50}/${r.commitLatencyMs.p99}\n`,
      );
    }
    process.stdout.write(`raw fsync (4 KiB write + fsync) p50/p99 ms: ${fsync.p50}/${fsync.p99}\n`);
    const processRun = results[0]!;
    const verdict = processRun.singleAppendsPerSec >= 5000 && processRun.readAllEventsPerSec >= 100_000;
    process.stdout.write(`targets at 'process' (>= 5,000 single appends/s, >= 100,000 events/s read): ${verdict ? 'met' : 'NOT met'}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ results, rawFsyncMs: fsync, targetsMet: verdict })}\n`);
  } finally {
    if (!values.dir) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
