import type { DocumentStore, DocumentWrite } from '../ports/document-store.js';
import type { Position, RecordedEvent } from '../ports/event-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { projectionReads, type Projection } from '../../projections/projection.js';
import type { CachedDocument, DocumentCache } from './document-cache.js';

const NONE: CachedDocument = { doc: null, position: -1 };

export interface PoisonEvent {
  readonly event: RecordedEvent;
  readonly error: Error;
}

export interface FoldedBatch {
  /** One write per changed document. */
  readonly writes: DocumentWrite[];
  /** The committed form of every document written, for the cache once the commit succeeded. */
  readonly changed: ReadonlyMap<string, CachedDocument>;
  /** The checkpoint to move to: the last event folded (handled or not), or before the poison one. */
  readonly position: Position;
  readonly applied: number;
  /** An event the projection threw on: nothing from it on is folded. */
  readonly poison?: PoisonEvent;
}

/**
 * Folds events (in position order, all after the projection's checkpoint) into one write per
 * document. Documents are read once per batch (from the cache, else in one getMany), so a device
 * with fifty events in a batch costs one read and one write.
 */
export async function foldBatch(
  projection: Projection<object>,
  collection: string,
  events: readonly RecordedEvent[],
  startPosition: Position,
  documents: DocumentStore,
  cache: DocumentCache,
): Promise<FoldedBatch> {
  const targets: Array<{ event: RecordedEvent; id: string | undefined }> = [];
  const missing = new Set<string>();
  // The documents as committed, held here for the whole batch: the cache may evict meanwhile.
  const base = new Map<string, CachedDocument>();
  let early: PoisonEvent | undefined;
  for (const event of events) {
    let id: string | undefined;
    if (projectionReads(projection, event)) {
      try {
        id = projection.documentId(event);
      } catch (error) {
        early = { event, error: asError(error) };
        break;
      }
      if (id !== undefined && projection.insertOnly) base.set(id, NONE);
      else if (id !== undefined && !base.has(id)) {
        const cached = cache.get(id);
        if (cached) base.set(id, cached);
        else missing.add(id);
      }
    }
    targets.push({ event, id });
  }
  const loaded = missing.size > 0 ? await documents.getMany(collection, [...missing]) : new Map();
  for (const id of missing) {
    const stored = loaded.get(id);
    base.set(id, stored ? { doc: stored.doc, position: stored.position } : { doc: null, position: -1 });
  }
  return finish(targets, early);

  function finish(list: ReadonlyArray<{ event: RecordedEvent; id: string | undefined }>, early: PoisonEvent | undefined): FoldedBatch {
    const working = new Map<string, CachedDocument>();
    let position = startPosition;
    let applied = 0;
    for (const { event, id } of list) {
      if (id !== undefined) {
        const current = working.get(id) ?? base.get(id)!;
        // A replayed event the document already holds (after a crash between document and checkpoint writes).
        if (event.position > current.position) {
          let next: object | null;
          try {
            next = projection.apply(current.doc ?? undefined, event);
          } catch (error) {
            return result(working, position, applied, { event, error: asError(error) });
          }
          applied++;
          // Nothing to delete where nothing was: no write.
          if (next !== null || current.doc !== null) working.set(id, { doc: next, position: event.position });
        }
      }
      position = event.position;
    }
    return result(working, position, applied, early);
  }
}

function result(working: Map<string, CachedDocument>, position: Position, applied: number, poison: PoisonEvent | undefined): FoldedBatch {
  const writes: DocumentWrite[] = [];
  for (const [id, entry] of working) {
    writes.push(entry.doc === null ? { op: 'delete', id, position: entry.position } : { op: 'put', id, doc: entry.doc as JsonObject, position: entry.position });
  }
  return { writes, changed: working, position, applied, ...(poison ? { poison } : {}) };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
