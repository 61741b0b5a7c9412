import type { CollectionBatch, DocumentPage, DocumentQuery, DocumentStore, Filter, IndexDeclaration, ProjectionCheckpoint, ProjectionFailure, Scalar, StoredDocument } from '../../application/ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';

/**
 * One DocumentStore over several: each collection and checkpoint lives in the store its name
 * routes to (names of no shard go to the first). Queries and the CLI see one store; each shard's
 * runner writes to its own store directly. A commit is atomic within a shard; one that spans
 * shards commits shard by shard (no runner does that: each runner's projections share a shard).
 */
export class ShardedDocumentStore implements DocumentStore {
  private readonly distinct: DocumentStore[];

  constructor(
    private readonly stores: ReadonlyMap<string, DocumentStore>,
    private readonly route: (name: string) => string | undefined,
  ) {
    if (stores.size === 0) throw new Error('a sharded store needs at least one store');
    this.distinct = [...new Set(stores.values())];
  }

  private storeOf(name: string): DocumentStore {
    const shard = this.route(name);
    return (shard !== undefined ? this.stores.get(shard) : undefined) ?? this.distinct[0]!;
  }

  ensureCollection(collection: string, indexes: readonly IndexDeclaration[]): Promise<void> {
    return this.storeOf(collection).ensureCollection(collection, indexes);
  }

  dropCollection(collection: string): Promise<void> {
    return this.storeOf(collection).dropCollection(collection);
  }

  async listCollections(): Promise<string[]> {
    return [...new Set((await Promise.all(this.distinct.map((s) => s.listCollections()))).flat())].sort();
  }

  async commit(batches: readonly CollectionBatch[]): Promise<void> {
    const byStore = new Map<DocumentStore, CollectionBatch[]>();
    for (const batch of batches) {
      const store = this.storeOf(batch.collection);
      byStore.set(store, [...(byStore.get(store) ?? []), batch]);
    }
    for (const [store, own] of byStore) await store.commit(own);
  }

  readCheckpoint(name: string): Promise<ProjectionCheckpoint | undefined> {
    return this.storeOf(name).readCheckpoint(name);
  }

  async listCheckpoints(): Promise<ProjectionCheckpoint[]> {
    return (await Promise.all(this.distinct.map((s) => s.listCheckpoints()))).flat().sort((a, b) => a.name.localeCompare(b.name));
  }

  recordFailure(name: string, failure: ProjectionFailure): Promise<void> {
    return this.storeOf(name).recordFailure(name, failure);
  }

  deleteCheckpoint(name: string): Promise<void> {
    return this.storeOf(name).deleteCheckpoint(name);
  }

  get<Doc extends JsonObject = JsonObject>(collection: string, id: string): Promise<StoredDocument<Doc> | undefined> {
    return this.storeOf(collection).get<Doc>(collection, id);
  }

  getMany<Doc extends JsonObject = JsonObject>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>> {
    return this.storeOf(collection).getMany<Doc>(collection, ids);
  }

  find<Doc extends JsonObject = JsonObject>(collection: string, query: DocumentQuery): Promise<DocumentPage<Doc>> {
    return this.storeOf(collection).find<Doc>(collection, query);
  }

  count(collection: string, filter?: Filter): Promise<number> {
    return this.storeOf(collection).count(collection, filter);
  }

  countBy(collection: string, path: string, filter?: Filter): Promise<Map<Scalar, number>> {
    return this.storeOf(collection).countBy(collection, path, filter);
  }

  async ping(): Promise<void> {
    await Promise.all(this.distinct.map((s) => s.ping()));
  }

  async close(): Promise<void> {
    await Promise.all(this.distinct.map((s) => s.close()));
  }
}
