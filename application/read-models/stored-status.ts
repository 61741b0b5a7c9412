import type { Clock } from '../ports/clock.js';
import type { DocumentStore } from '../ports/document-store.js';
import type { EventStore } from '../ports/event-store.js';
import type { Projection } from '../../projections/projection.js';
import { collectionVersion } from './collection-names.js';
import { BEFORE_FIRST_EVENT } from './positions.js';
import type { ProjectionStatus } from './projection-runner.js';

/** Lag counted up to this many events; beyond it the figure is a lower bound. */
const COUNT_LIMIT = 10_000;

/**
 * Projection status read from the stores, for a process that does not run the projections (the
 * CLI): the checkpoint of each, and how many events lie after it.
 */
export async function storedProjectionStatus(events: EventStore, documents: DocumentStore, projections: readonly Projection<object>[], clock: Clock): Promise<Array<ProjectionStatus & { lagCapped?: true }>> {
  const out: Array<ProjectionStatus & { lagCapped?: true }> = [];
  for (const projection of projections) {
    const checkpoint = await documents.readCheckpoint(projection.name);
    const position = checkpoint?.position ?? BEFORE_FIRST_EVENT;
    const behind = await events.readAll({ after: position, maxCount: COUNT_LIMIT });
    const oldest = behind[0];
    const state = checkpoint?.failure ? 'failed' : !checkpoint ? 'starting' : collectionVersion(projection.name, checkpoint.collection) !== projection.version ? 'rebuilding' : 'running';
    out.push({
      name: projection.name,
      version: projection.version,
      state,
      ...(checkpoint ? { collection: checkpoint.collection } : {}),
      position,
      lagEvents: behind.length,
      lagSeconds: oldest ? Math.max(0, (clock.now().getTime() - Date.parse(oldest.recordedAt)) / 1000) : 0,
      ...(checkpoint?.failure ? { failure: checkpoint.failure } : {}),
      ...(behind.length >= COUNT_LIMIT ? { lagCapped: true as const } : {}),
    });
  }
  return out;
}
