import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../application/ports/clock.js';
import type { Logger, LogFields } from '../../application/ports/logger.js';
import { ProjectionRunner } from '../../application/read-models/projection-runner.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store.js';
import { openShardStore } from './open-document-store.js';
import { PROJECTION_SHARDS } from './read-model-projections.js';
import type { FromWorker, ToWorker, WorkerInput } from './projection-worker-messages.js';

/**
 * One shard's projections, folded in a worker thread: the batches (JSON, SQLite writes) never hold
 * the thread that serves devices. It opens its own connections to the event store and to its
 * read-model store, and reports its progress to the main thread after every batch.
 */
const input = workerData as WorkerInput;
const port = parentPort!;
const post = (message: FromWorker): void => {
  try {
    port.postMessage(message);
  } catch {
    // A log field that cannot cross threads (a function in an error's cause): send it as text.
    if (message.type === 'log') port.postMessage({ ...message, fields: JSON.parse(JSON.stringify(message.fields ?? {}, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : typeof v === 'function' ? undefined : v))) as LogFields });
  }
};

const logger: Logger = (function make(base: LogFields): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: LogFields) => post({ type: 'log', level, msg, fields: { ...base, ...fields } });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => make({ ...base, ...fields }) };
})({ component: 'projections', shard: input.shard });

async function main(): Promise<void> {
  const shard = PROJECTION_SHARDS.find((s) => s.name === input.shard);
  if (!shard) throw new Error(`no read-model shard named ${input.shard}`);
  const config = input.config;
  const quiet: Logger = { ...logger, info: () => undefined, child: () => quiet };
  const { store } = await openEventStore(config, quiet);
  const documents = await openShardStore(config, shard).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const runner: ProjectionRunner = new ProjectionRunner(store, documents, shard.projections, {
    clock: systemClock,
    logger,
    ...(input.batchSize ? { batchSize: input.batchSize } : {}),
    onBatch: (events, ms) => post({ type: 'batch', events, ms, status: runner.status() }),
    onFailure: (name, failure) => post({ type: 'failure', name, failure }),
  });
  let stopping: Promise<void> | undefined;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'appended') {
      if (store instanceof SqliteEventStore) store.noticeAppend();
    } else if (message.type === 'stop') {
      stopping ??= (async () => {
        clearInterval(ticker);
        await runner.stop();
        await documents.close();
        await store.close();
        post({ type: 'stopped' });
        port.close();
      })();
    }
  });
  // Lag in seconds grows while nothing is applied: report it even without batches.
  const ticker = setInterval(() => post({ type: 'status', status: runner.status() }), 1_000);
  await runner.start();
  post({ type: 'started', status: runner.status() });
}

main().catch((error: unknown) => {
  post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
