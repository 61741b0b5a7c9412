import type { Clock } from '../ports/clock.js';
import { CheckpointConflictError, type DocumentStore } from '../ports/document-store.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { Projection } from '../../projections/projection.js';
import { isCollectionOf, newCollectionName, rebuildCheckpointName } from './collection-names.js';
import { DocumentCache } from './document-cache.js';
import { foldBatch } from './fold-batch.js';
import { BEFORE_FIRST_EVENT } from './positions.js';

export interface RebuildProgress {
  readonly events: number;
  readonly applied: number;
  readonly position: Position;
  readonly elapsedMs: number;
}

export interface RebuildResult extends RebuildProgress {
  readonly collection: string;
  /** The collection that served queries until the switch (dropped afterwards). */
  readonly previous?: string;
}

export interface RebuildOptions {
  readonly batchSize?: number;
  readonly cacheSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How often onProgress is told, in batches. */
  readonly progressEvery?: number;
  readonly signal?: AbortSignal;
}

export class ProjectionRebuildError extends Error {
  override readonly name = 'ProjectionRebuildError';
  constructor(
    message: string,
    /** The event the projection cannot apply: trying again cannot help until it is fixed. */
    readonly poison?: { readonly position: Position; readonly eventType: string; readonly streamId: string; readonly message: string },
  ) {
    super(message);
  }
}

/**
 * Replays every event into a fresh collection, then switches the projection's checkpoint to it in
 * one compare-and-set: queries read the old collection until that moment and the new one after,
 * so nothing is ever served half-built. A live runner notices the switch at its next commit
 * (its checkpoint moved) and carries on in the new collection from the rebuild's position.
 */
export async function rebuildProjection(
  deps: { readonly events: EventStore; readonly documents: DocumentStore; readonly clock: Clock },
  projection: Projection<object>,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { events, documents, clock } = deps;
  const batchSize = options.batchSize ?? 5_000;
  const started = Date.now();
  const checkpointName = rebuildCheckpointName(projection.name);

  // Leftovers of an interrupted rebuild: its collection and its checkpoint.
  const live = await documents.readCheckpoint(projection.name);
  const leftover = await documents.readCheckpoint(checkpointName);
  for (const collection of await documents.listCollections()) {
    if (isCollectionOf(projection.name, collection) && collection !== live?.collection) await documents.dropCollection(collection);
  }
  if (leftover) await documents.deleteCheckpoint(checkpointName);

  const collection = newCollectionName(projection.name, projection.version, clock.now());
  await documents.ensureCollection(collection, projection.indexes ?? []);
  const cache = new DocumentCache(options.cacheSize ?? 100_000);
  let position: Position = BEFORE_FIRST_EVENT;
  let expected: { collection: string; position: Position } | undefined;
  let count = 0;
  let applied = 0;
  let batches = 0;
  const progress = (): RebuildProgress => ({ events: count, applied, position, elapsedMs: Date.now() - started });

  const catchUp = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) throw new ProjectionRebuildError('rebuild aborted');
      const page = await events.readAll({ after: position, maxCount: batchSize });
      if (page.length === 0) return;
      const folded = await foldBatch(projection, collection, page, position, documents, cache);
      if (folded.poison) {
        const { event, error } = folded.poison;
        throw new ProjectionRebuildError(`${projection.name} cannot apply event ${event.type} at position ${event.position} (${event.streamId}): ${error.message}`, {
          position: event.position,
          eventType: event.type,
          streamId: event.streamId,
          message: error.message,
        });
      }
      await documents.commit([{ collection, writes: folded.writes, checkpoint: { name: checkpointName, collection, position: folded.position, updatedAt: clock.now().toISOString(), expected } }]);
      for (const [id, entry] of folded.changed) cache.set(id, entry);
      expected = { collection, position: folded.position };
      position = folded.position;
      count += page.length;
      applied += folded.applied;
      if (++batches % (options.progressEvery ?? 1) === 0) options.onProgress?.(progress());
      if (page.length < batchSize) return;
      // Embedded stores answer without I/O waits: without this the thread would serve nothing else
      // (the live projections, status reports, a stop) until the whole replay is done.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  try {
    await catchUp();
    // The switch: retried when the live runner moved the old checkpoint meanwhile.
    for (let attempt = 0; ; attempt++) {
      const current = await documents.readCheckpoint(projection.name);
      try {
        await documents.commit([{ collection, writes: [], checkpoint: { name: projection.name, collection, position, updatedAt: clock.now().toISOString(), expected: current && { collection: current.collection, position: current.position } } }]);
        await documents.deleteCheckpoint(checkpointName);
        if (current && current.collection !== collection) await documents.dropCollection(current.collection);
        options.onProgress?.(progress());
        return { ...progress(), collection, ...(current ? { previous: current.collection } : {}) };
      } catch (error) {
        if (!(error instanceof CheckpointConflictError) || attempt >= 20) throw error;
        await catchUp();
      }
    }
  } catch (error) {
    await documents.dropCollection(collection).catch(() => undefined);
    await documents.deleteCheckpoint(checkpointName).catch(() => undefined);
    throw error;
  }
}
