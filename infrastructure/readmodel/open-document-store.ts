import { join } from 'node:path';
import type { DocumentStore } from '../../application/ports/document-store.js';
import type { Config } from '../config/config.js';
import { openMongoDocumentStore } from './mongo/mongo-document-store.js';
import { PROJECTION_SHARDS, shardOf, type ProjectionShard } from './read-model-projections.js';
import { ShardedDocumentStore } from './sharded-document-store.js';
import { openSqliteDocumentStore } from './sqlite/sqlite-document-store.js';

/** A shard's embedded file: beside the events, apart from them so neither waits on the other's writes. */
export const readModelFile = (config: Pick<Config, 'dataDir'>, shard: ProjectionShard = PROJECTION_SHARDS[0]!): string => join(config.dataDir, shard.file);

/** The store one shard's runner writes to: its own SQLite file, or the MongoDB database. */
export async function openShardStore(config: Pick<Config, 'dataDir' | 'readStore'>, shard: ProjectionShard): Promise<DocumentStore> {
  return config.readStore.kind === 'mongo' ? openMongoDocumentStore(config.readStore.url) : openSqliteDocumentStore(readModelFile(config, shard));
}

/** Every read model behind one store, for queries and the CLI (MDM_READ_STORE: SQLite files or MongoDB). */
export async function openDocumentStore(config: Config): Promise<DocumentStore> {
  if (config.readStore.kind === 'mongo') return openMongoDocumentStore(config.readStore.url);
  const stores = new Map<string, DocumentStore>();
  try {
    for (const shard of PROJECTION_SHARDS) stores.set(shard.name, openSqliteDocumentStore(readModelFile(config, shard)));
  } catch (error) {
    await Promise.all([...stores.values()].map((s) => s.close()));
    throw error;
  }
  return new ShardedDocumentStore(stores, (name) => shardOf(name)?.name);
}
