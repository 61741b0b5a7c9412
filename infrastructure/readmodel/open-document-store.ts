import { join } from 'node:path';
import type { DocumentStore } from '../../application/ports/document-store.js';
import type { Config } from '../config/config.js';
import { openMongoDocumentStore } from './mongo/mongo-document-store.js';
import { openSqliteDocumentStore } from './sqlite/sqlite-document-store.js';

/** The read-model file of the embedded store: beside the events, separate so neither waits on the other's writes. */
export const readModelFile = (config: Pick<Config, 'dataDir'>): string => join(config.dataDir, 'readmodels.db');

/** Opens the configured read-model store: embedded SQLite by default, MongoDB with MDM_READ_STORE=mongo. */
export async function openDocumentStore(config: Config): Promise<DocumentStore> {
  return config.readStore.kind === 'mongo' ? openMongoDocumentStore(config.readStore.url) : openSqliteDocumentStore(readModelFile(config));
}
