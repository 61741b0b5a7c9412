import type { DocumentPage, DocumentQuery, DocumentStore, Filter, Scalar, StoredDocument } from '../ports/document-store.js';
import type { Position } from '../ports/event-store.js';
import type { JsonObject } from '../../domain/shared/json.js';

/** A read model that has never been built (the server has not run since it was added). */
export class ReadModelUnavailableError extends Error {
  override readonly name = 'ReadModelUnavailableError';
}

/** Waits (bounded) until the projections have applied an event position: read-your-writes. */
export interface ProjectionProgress {
  /** With names: each of those read models is running and has applied `position`. */
  waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<boolean>;
}

export interface Consistency {
  /** The position an earlier write returned: the answer reflects it, or `stale` is set. */
  readonly atLeast: Position;
  /** How long to wait for the projections, at most 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Reads a projection's documents from whichever collection its checkpoint names as live, so a
 * rebuild's switch is seen by the next query without coordination.
 */
export class ReadModels {
  constructor(
    private readonly documents: DocumentStore,
    private readonly progress?: ProjectionProgress,
  ) {}

  /**
   * Resolves true when the read models a query reads reflect `consistency` (or none was asked),
   * false when they still lag, or one of them has stopped or is being rebuilt.
   */
  async settle(consistency: Consistency | undefined, names: readonly string[]): Promise<boolean> {
    if (!consistency) return true;
    if (!this.progress) return false;
    return this.progress.waitFor(consistency.atLeast, Math.min(Math.max(consistency.timeoutMs ?? 2_000, 0), 10_000), names);
  }

  async collection(name: string): Promise<string> {
    const checkpoint = await this.documents.readCheckpoint(name);
    if (!checkpoint) throw new ReadModelUnavailableError(`read model ${name} has not been built yet`);
    return checkpoint.collection;
  }

  async find<Doc extends object>(name: string, query: DocumentQuery): Promise<DocumentPage<Doc & JsonObject>> {
    return this.documents.find<Doc & JsonObject>(await this.collection(name), query);
  }

  async get<Doc extends object>(name: string, id: string): Promise<StoredDocument<Doc & JsonObject> | undefined> {
    return this.documents.get<Doc & JsonObject>(await this.collection(name), id);
  }

  async count(name: string, filter?: Filter): Promise<number> {
    return this.documents.count(await this.collection(name), filter);
  }

  async countBy(name: string, path: string, filter?: Filter): Promise<Map<Scalar, number>> {
    return this.documents.countBy(await this.collection(name), path, filter);
  }

  /**
   * Every matching document (for summaries that evaluate each one). Read page by page from the live
   * collection; when a rebuild switches collections meanwhile, the read starts over on the new one,
   * so a summary never mixes two collections or stops short at a dropped one.
   */
  async all<Doc extends object>(name: string, filter?: Filter, pageSize = 1_000): Promise<Array<Doc & JsonObject>> {
    for (let attempt = 0; ; attempt++) {
      const collection = await this.collection(name);
      const out: Array<Doc & JsonObject> = [];
      let cursor: string | undefined;
      do {
        const page: DocumentPage<Doc & JsonObject> = await this.documents.find<Doc & JsonObject>(collection, { ...(filter ? { filter } : {}), limit: pageSize, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) out.push(item.doc);
        cursor = page.nextCursor;
      } while (cursor);
      if ((await this.collection(name)) === collection || attempt >= 2) return out;
    }
  }
}
