import type { Document } from 'mongodb';
import type { CheckpointMove, ProjectionCheckpoint, ProjectionFailure } from '../../../application/ports/document-store.js';

/** One projection's checkpoint as stored in the checkpoints collection, keyed by projection name. */
export interface CheckpointRecord {
  readonly _id: string;
  readonly collection: string;
  readonly position: number;
  readonly updatedAt: string;
  readonly failure?: ProjectionFailure;
}

/** Where a checkpoint stands, as compared by a move's `expected`. */
export type CheckpointPlace = { readonly collection: string; readonly position: number } | undefined;

export const placeOf = (record: CheckpointRecord | null | undefined): CheckpointPlace =>
  record ? { collection: record.collection, position: record.position } : undefined;

export function samePlace(a: CheckpointPlace, b: CheckpointPlace): boolean {
  if (!a || !b) return a === b;
  return a.collection === b.collection && a.position === b.position;
}

/** The first checkpoint of a projection (a move expecting none): a duplicate id means another writer won. */
export function firstCheckpoint(move: CheckpointMove): CheckpointRecord {
  return { _id: move.name, collection: move.collection, position: move.position, updatedAt: move.updatedAt };
}

/**
 * Compare-and-set of an existing checkpoint: matches only the place the caller expects, so a match
 * count of zero means it moved. Moving clears a recorded failure.
 */
export function checkpointUpdate(move: CheckpointMove & { expected: NonNullable<CheckpointMove['expected']> }): { filter: Document; update: Document } {
  return {
    filter: { _id: move.name, collection: move.expected.collection, position: move.expected.position },
    update: { $set: { collection: move.collection, position: move.position, updatedAt: move.updatedAt }, $unset: { failure: '' } },
  };
}

export function failureUpdate(failure: ProjectionFailure): Document {
  return { $set: { failure: { ...failure } } };
}

export function toCheckpoint(record: CheckpointRecord): ProjectionCheckpoint {
  return {
    name: record._id,
    collection: record.collection,
    position: record.position,
    updatedAt: record.updatedAt,
    ...(record.failure ? { failure: toFailure(record.failure) } : {}),
  };
}

function toFailure(failure: ProjectionFailure): ProjectionFailure {
  return { position: failure.position, eventType: failure.eventType, streamId: failure.streamId, message: failure.message, failedAt: failure.failedAt };
}
