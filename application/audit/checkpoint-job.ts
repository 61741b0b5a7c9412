import { ConcurrencyError } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { AuditCheckpoints, CheckpointRun } from './audit-checkpoints.js';

export interface AuditCheckpointJobOptions {
  readonly checkpoints: Pick<AuditCheckpoints, 'run'>;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Called after each successful run (metrics, tests). */
  readonly onRun?: (run: CheckpointRun) => void;
}

/** Stops the job; resolves once a run in progress has finished. */
export type StopAuditCheckpointJob = () => Promise<void>;

/**
 * Appends a checkpoint at start and then every `intervalMs`. Runs never overlap. A failed run is
 * logged and the next tick tries again from the last checkpoint that was appended.
 */
export function startAuditCheckpointJob(options: AuditCheckpointJobOptions): StopAuditCheckpointJob {
  const { checkpoints, intervalMs, logger } = options;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError('intervalMs must be a positive number of milliseconds');
  let running: Promise<void> | undefined;
  let stopped = false;

  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        const run = await checkpoints.run();
        if (run.appended > 0) logger.info('audit checkpoint appended', { sequence: run.sequence, position: run.position, streams: run.streams, events: run.appended });
        options.onRun?.(run);
      } catch (error) {
        // Another server process checkpointed at the same moment: its checkpoint covers ours.
        if (error instanceof ConcurrencyError) logger.info('audit checkpoint written by another process; retrying next time');
        else logger.error('audit checkpoint failed; retrying next time', { error: (error as Error)?.message ?? String(error) });
      } finally {
        running = undefined;
      }
    })();
  };

  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
