import type { Projection } from '../../projections/projection.js';
import { auditHistoryProjection } from '../../projections/audit-history.js';
import { commandRecordProjection } from '../../projections/command-record.js';
import { compliancePolicyProjection } from '../../projections/compliance-policies.js';
import { enrollmentOverview } from '../../projections/enrollment-overview.js';
import { inventoryProjection } from '../../projections/inventory.js';

/**
 * Read models are kept in shards: each shard is folded by its own worker thread into its own
 * store (with the embedded store, its own SQLite file), so the shards write in parallel and
 * neither waits for the other's write lock. The history shard (one document per event or command)
 * is the heavy writer; the state shard holds what devices are now.
 */
export interface ProjectionShard {
  readonly name: string;
  /** The embedded store's file in the data directory. */
  readonly file: string;
  readonly projections: readonly Projection<object>[];
}

export const PROJECTION_SHARDS: readonly ProjectionShard[] = [
  { name: 'state', file: 'readmodels.db', projections: [inventoryProjection, compliancePolicyProjection, enrollmentOverview] as readonly Projection<object>[] },
  { name: 'history', file: 'history.db', projections: [commandRecordProjection, auditHistoryProjection] as readonly Projection<object>[] },
];

/** Every read model the server keeps. */
export const READ_MODEL_PROJECTIONS: readonly Projection<object>[] = PROJECTION_SHARDS.flatMap((s) => s.projections);

/**
 * The shard a collection (`<projection>_v<version>_<generation>`) or checkpoint (`<projection>`,
 * `<projection>.rebuild`) belongs to; undefined for names of no projection.
 */
export function shardOf(name: string): ProjectionShard | undefined {
  return PROJECTION_SHARDS.find((shard) => shard.projections.some((p) => name === p.name || name.startsWith(`${p.name}_v`) || name.startsWith(`${p.name}.`)));
}
