import { Worker } from 'node:worker_threads';
import type { Position } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerInput } from './projection-worker-messages.js';
import type { ProjectionShard } from './read-model-projections.js';

export interface ProjectionWorkersOptions {
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly onBatch?: (events: number, ms: number, shard: string) => void;
  readonly onFailure?: (name: string) => void;
  /** How long stop() waits for a worker to finish its batch and close its stores. */
  readonly stopTimeoutMs?: number;
}

interface Running {
  readonly shard: ProjectionShard;
  worker?: Worker;
  status: ProjectionStatus[];
  restarts: number;
  startedAt?: number;
}

/**
 * The main thread's side of the projection workers: one worker thread per shard, restarted with a
 * backoff if it dies. It mirrors their progress (status, and waitFor for read-your-writes) from
 * the reports they send after every batch, and wakes them when this process appends.
 */
export class ProjectionWorkers {
  private readonly running: Running[];
  private waiters: Array<{ position: Position; names: readonly string[] | undefined; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }> = [];
  private stopped = false;
  private wakeScheduled = false;

  constructor(
    private readonly config: WorkerConfig,
    shards: readonly ProjectionShard[],
    private readonly options: ProjectionWorkersOptions,
  ) {
    this.running = shards.map((shard) => ({
      shard,
      status: shard.projections.map((p) => ({ name: p.name, version: p.version, state: 'starting' as const, position: 0, lagEvents: 0, lagSeconds: 0 })),
      restarts: 0,
    }));
  }

  start(): void {
    for (const r of this.running) this.spawn(r);
  }

  status(): ProjectionStatus[] {
    return this.running.flatMap((r) => r.status);
  }

  /**
   * Resolves true once the projections have applied `position`: without names, every one that has
   * not stopped or is being rebuilt; with names, each of those, running.
   */
  waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<boolean> {
    if (this.reached(position, names)) return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        position,
        names,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(this.reached(position, names));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** This process appended: the workers look now rather than at their next poll (coalesced per tick). */
  noticeAppend(): void {
    if (this.wakeScheduled || this.stopped) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const r of this.running) r.worker?.postMessage({ type: 'appended' } satisfies ToWorker);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.map((r) => this.stopWorker(r)));
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    for (const r of this.running) r.status = r.status.map((s) => (s.state === 'running' ? { ...s, state: 'stopped' } : s));
  }

  private reached(position: Position, names?: readonly string[]): boolean {
    const status = names ? this.status().filter((s) => names.includes(s.name)) : this.status();
    return status.every((s) => (s.state === 'running' || s.state === 'stopped' ? s.position >= position : !names && (s.state === 'failed' || s.state === 'rebuilding')));
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!this.reached(w.position, w.names)) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  }

  private spawn(r: Running): void {
    const { dataDir, eventStore, readStore } = this.config;
    const input: WorkerInput = { shard: r.shard.name, config: { dataDir, eventStore, readStore }, ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}) };
    const worker = new Worker(new URL('./projection-worker.js', import.meta.url), { workerData: input });
    r.worker = worker;
    worker.on('message', (message: FromWorker) => this.receive(r, message));
    worker.on('error', (error) => this.options.logger.error('projection worker failed', { shard: r.shard.name, error }));
    worker.on('exit', (code) => {
      if (r.worker !== worker) return;
      r.worker = undefined;
      if (this.stopped) return;
      // A worker that dies is started again; its projections resume from their checkpoints. One that
      // keeps dying soon after starting backs off further each time.
      if (r.startedAt !== undefined && Date.now() - r.startedAt > 60_000) r.restarts = 0;
      r.startedAt = undefined;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(r.restarts++, 6));
      this.options.logger.error('projection worker exited; restarting', { shard: r.shard.name, code, inMs: delay });
      r.status = r.status.map((s) => ({ ...s, state: 'starting' }));
      setTimeout(() => {
        if (!this.stopped) this.spawn(r);
      }, delay).unref();
    });
  }

  private receive(r: Running, message: FromWorker): void {
    switch (message.type) {
      case 'started':
      case 'status':
        r.status = message.status;
        if (message.type === 'started') r.startedAt = Date.now();
        this.settle();
        return;
      case 'batch':
        r.status = message.status;
        this.options.onBatch?.(message.events, message.ms, r.shard.name);
        this.settle();
        return;
      case 'failure':
        this.options.onFailure?.(message.name);
        return;
      case 'log':
        this.options.logger[message.level](message.msg, message.fields);
        return;
      case 'fatal':
        this.options.logger.error('projection worker could not run', { shard: r.shard.name, reason: message.message });
        return;
      case 'stopped':
        return;
    }
  }

  private async stopWorker(r: Running): Promise<void> {
    const worker = r.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), this.options.stopTimeoutMs ?? 10_000);
    await exited;
    clearTimeout(timer);
  }
}
