import { join } from 'node:path';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Config } from '../config/config.js';
import { redactUrl } from '../config/load-config.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

/** The configured event store adapter, opened. */
export async function openEventStore(config: Pick<Config, 'dataDir' | 'eventStore'>, logger: Logger): Promise<{ store: EventStore; adapter: string }> {
  if (config.eventStore.kind === 'sqlite') {
    const file = join(config.dataDir, 'events.db');
    logger.info('event store: embedded SQLite', { file, durability: config.eventStore.durability });
    return { store: new SqliteEventStore(file, { durability: config.eventStore.durability }), adapter: 'sqlite' };
  }
  const { EsdbEventStore } = await import('./esdb/esdb-event-store.js');
  logger.info('event store: EventStoreDB', { url: redactUrl(config.eventStore.url) });
  return { store: await EsdbEventStore.connect(config.eventStore.url, { logger }), adapter: 'esdb' };
}
