import type { ProjectionFailure } from '../../application/ports/document-store.js';
import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import type { LogFields } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';

/**
 * What a projection worker starts with (structured-cloned: plain data only). Only the settings it
 * needs: the server's secrets (CA passphrase, tokens, challenges) never reach the worker.
 */
export type WorkerConfig = Pick<Config, 'dataDir' | 'eventStore' | 'readStore'>;

export interface WorkerInput {
  readonly shard: string;
  readonly config: WorkerConfig;
  readonly batchSize?: number;
}

export type ToWorker = { readonly type: 'appended' } | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'started'; readonly status: ProjectionStatus[] }
  | { readonly type: 'batch'; readonly events: number; readonly ms: number; readonly status: ProjectionStatus[] }
  | { readonly type: 'status'; readonly status: ProjectionStatus[] }
  | { readonly type: 'failure'; readonly name: string; readonly failure: ProjectionFailure }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly msg: string; readonly fields?: LogFields }
  | { readonly type: 'stopped' }
  | { readonly type: 'fatal'; readonly message: string };
