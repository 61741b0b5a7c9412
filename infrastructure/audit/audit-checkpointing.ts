import { AuditCheckpoints } from '../../application/audit/audit-checkpoints.js';
import { startAuditCheckpointJob, type StopAuditCheckpointJob } from '../../application/audit/checkpoint-job.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';
import { loadOrCreateAuditKey } from './audit-key-file.js';
import { HmacCheckpointSigner } from './hmac-checkpoint-signer.js';

/** The configured checkpoint signer; creates the key on first use where the configuration allows. */
export async function openCheckpointSigner(config: Pick<Config, 'audit'>, logger?: Logger): Promise<HmacCheckpointSigner> {
  const key = await loadOrCreateAuditKey(config.audit.keyFile, { create: config.audit.createKey });
  if (key.created) logger?.info('audit checkpoint key created', { path: key.path });
  if (key.insecureMode) logger?.warn('audit checkpoint key file is accessible by group or others; chmod 600 it', { path: key.path });
  return new HmacCheckpointSigner(key.key);
}

/**
 * The server's periodic checkpoints, as configured. Undefined when they are off: interval 0, or a
 * shared event store without MDM_AUDIT_KEY_FILE (a key invented by one process would not match the
 * others'), which is logged once.
 */
export async function startAuditCheckpointing(config: Pick<Config, 'audit'>, store: EventStore, clock: Clock, logger: Logger): Promise<StopAuditCheckpointJob | undefined> {
  if (config.audit.checkpointIntervalMs === 0) return undefined;
  let signer: HmacCheckpointSigner;
  try {
    signer = await openCheckpointSigner(config, logger);
  } catch (error) {
    logger.warn('audit checkpoints are off', { reason: (error as Error).message });
    return undefined;
  }
  return startAuditCheckpointJob({
    checkpoints: new AuditCheckpoints(store, signer, clock),
    intervalMs: config.audit.checkpointIntervalMs,
    logger: logger.child({ component: 'audit-checkpoints' }),
  });
}
