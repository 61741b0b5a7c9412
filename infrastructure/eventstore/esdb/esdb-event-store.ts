import {
  EventStoreUnavailableError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.js';
import type { Logger } from '../../../application/ports/logger.js';
import { appendChained } from './append.js';
import { EsdbConnection } from './connection.js';
import { readAllPage, readStreamEntries, readStreamEvents } from './reads.js';
import { EsdbSubscription } from './subscription.js';

export interface EsdbEventStoreOptions {
  /** Our bound on every call to the server (default 10 s). */
  deadlineMs?: number;
  logger?: Logger;
}

const DEFAULT_DEADLINE_MS = 10_000;
/** ping is what /readyz asks: answer fast. */
const PING_DEADLINE_MS = 2_000;
/** readAll's page size when the caller gives none (the SQLite adapter's too). */
const DEFAULT_READ_ALL_MAX = 1_000;
/** Events per server read while collecting one readAll page (system events are dropped from it). */
const READ_ALL_PAGE = 1_000;
/** A stream name nobody writes: reading it costs the server an index lookup and nothing else. */
const PING_STREAM = 'mdm-readiness-probe';

/**
 * The EventStore port over EventStoreDB (@eventstore/db-client 6.x, `esdb://host:2113?tls=false`
 * connection strings). The client connects lazily: connect() does no I/O; use ping() to check.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbSubscription>();

  private constructor(private readonly conn: EsdbConnection, private readonly logger: Logger | undefined) {}

  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (!(deadlineMs > 0)) throw new RangeError(`deadlineMs must be positive, got ${deadlineMs}`);
    return new EsdbEventStore(new EsdbConnection(connectionString, deadlineMs, options.logger), options.logger);
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return appendChained(this.conn, streamId, events, expected);
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.conn.call(`read of ${streamId}`, (client, signal) => readStreamEvents(client, streamId, options, signal));
  }

  /** Pages through $all until `maxCount` non-system events are found or the end is reached. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL_MAX;
    const out: RecordedEvent[] = [];
    let after = options.after;
    while (out.length < maxCount) {
      const page = await this.conn.call('read of $all', (client, signal) => readAllPage(client, after, Math.min(maxCount - out.length, READ_ALL_PAGE), signal));
      for (const entry of page.entries) {
        if (entry.event) out.push(entry.event);
        if (out.length === maxCount) break;
      }
      if (page.end || page.entries.length === 0) break;
      after = page.entries[page.entries.length - 1]!.position;
    }
    return out;
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.conn.isClosed) throw new EventStoreUnavailableError('EventStoreDB event store is closed');
    const subscription = new EsdbSubscription(
      {
        newClient: () => this.conn.newClient(),
        disposeClient: (client) => void this.conn.disposeClient(client),
        deadlineMs: this.conn.deadlineMs,
        ...(this.logger ? { logger: this.logger } : {}),
      },
      handler,
      options,
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** A read of a stream that does not exist: cheap, and it needs the server to answer. */
  async ping(): Promise<void> {
    await this.conn.call('ping', (client, signal) => readStreamEntries(client, PING_STREAM, { maxCount: 1 }, signal), Math.min(this.conn.deadlineMs, PING_DEADLINE_MS));
  }

  /** Ends live subscriptions (their onError hears why), then the client. */
  async close(): Promise<void> {
    const closing = new EventStoreUnavailableError('EventStoreDB event store closed');
    await Promise.all([...this.subscriptions].map((s) => s.abandon(closing)));
    await this.conn.close();
  }
}
