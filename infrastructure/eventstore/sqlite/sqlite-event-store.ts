import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.js';
import { GENESIS_HASH, encodeBatch } from '../../../application/event-integrity.js';
import { satisfiesExpected } from '../../../application/expected-revision.js';
import { pollingSubscription, type PollingSubscription } from '../polling-subscription.js';
import { applyPragmas, migrate, type Durability } from './schema.js';

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface PendingAppend {
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export interface SqliteEventStoreOptions {
  durability?: Durability;
  /** How often a subscription looks for appends made by another process. */
  pollMs?: number;
}

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  eventId: row.event_id,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
  recordedAt: row.recorded_at,
});

/**
 * The embedded event store: one SQLite file in WAL mode. Appends that arrive while a commit is
 * being prepared are committed together (group commit): at `power` durability one fsync then
 * serves all of them. Each append runs in its own savepoint, so one append's ConcurrencyError
 * does not affect the others in the group.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: BetterSqlite3.Database;
  private readonly appended = new EventEmitter();
  private readonly pollMs: number;
  private queue: PendingAppend[] = [];
  private readonly subscriptions = new Set<PollingSubscription>();
  /** Commits made, and appends they carried: their ratio is the group-commit factor. */
  readonly stats = { commits: 0, appends: 0 };
  private flushScheduled = false;
  private closed = false;

  private readonly stmt: {
    head: BetterSqlite3.Statement<[string], { revision: number; hash: string }>;
    insert: BetterSqlite3.Statement<[string, number, string, string, string, string, string]>;
    upsertHead: BetterSqlite3.Statement<[string, number, string]>;
    readFwd: BetterSqlite3.Statement<[string, number, number], Row>;
    readBwd: BetterSqlite3.Statement<[string, number, number], Row>;
    readAll: BetterSqlite3.Statement<[number, number], Row>;
    maxPosition: BetterSqlite3.Statement<[], { p: number | null }>;
    positionOf: BetterSqlite3.Statement<[string, number], { position: number }>;
  };

  private readonly commitGroup: (batch: PendingAppend[], recordedAt: string) => Array<AppendResult | Error>;

  constructor(file: string, options: SqliteEventStoreOptions = {}) {
    this.db = new Database(file);
    applyPragmas(this.db, options.durability ?? 'process');
    migrate(this.db);
    this.pollMs = options.pollMs ?? 200;
    this.appended.setMaxListeners(0);
    this.stmt = {
      head: this.db.prepare('SELECT revision, hash FROM streams WHERE stream_id = ?'),
      insert: this.db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      upsertHead: this.db.prepare('INSERT INTO streams (stream_id, revision, hash) VALUES (?, ?, ?) ON CONFLICT(stream_id) DO UPDATE SET revision = excluded.revision, hash = excluded.hash'),
      readFwd: this.db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?'),
      readBwd: this.db.prepare('SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?'),
      readAll: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position ASC LIMIT ?'),
      maxPosition: this.db.prepare('SELECT max(position) AS p FROM events'),
      positionOf: this.db.prepare('SELECT position FROM events WHERE stream_id = ? AND revision = ?'),
    };

    const appendOne = this.db.transaction((p: PendingAppend, recordedAt: string): AppendResult => {
      const head = this.stmt.head.get(p.streamId);
      const headRevision = head?.revision ?? -1;
      if (!satisfiesExpected(p.expected, headRevision)) {
        throw new ConcurrencyError(p.streamId, p.expected, head ? headRevision : 'no-stream');
      }
      // Nothing to write: report the head as it is (position 0 when the stream does not exist).
      if (p.events.length === 0) return { nextRevision: headRevision, position: head ? this.stmt.positionOf.get(p.streamId, headRevision)!.position : 0 };
      const encoded = encodeBatch(p.streamId, headRevision, head?.hash ?? GENESIS_HASH, p.events);
      let position = 0;
      encoded.forEach((e, i) => {
        position = Number(this.stmt.insert.run(p.streamId, headRevision + 1 + i, e.eventId, e.type, e.dataJson, e.metadataJson, recordedAt).lastInsertRowid);
      });
      const last = encoded[encoded.length - 1]!;
      this.stmt.upsertHead.run(p.streamId, headRevision + encoded.length, last.hash);
      return { nextRevision: headRevision + encoded.length, position };
    });

    // The outer transaction is the commit; each nested call above is a savepoint.
    this.commitGroup = this.db.transaction((batch: PendingAppend[], recordedAt: string) =>
      batch.map((p) => {
        try {
          return appendOne(p, recordedAt);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    ).immediate as unknown as (batch: PendingAppend[], recordedAt: string) => Array<AppendResult | Error>;
  }

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('event store is closed'));
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events, expected, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let results: Array<AppendResult | Error>;
    try {
      results = this.commitGroup(batch, new Date().toISOString());
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group was stored.
      for (const p of batch) p.reject(error);
      return;
    }
    this.stats.commits++;
    this.stats.appends += batch.length;
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    });
    this.appended.emit('append');
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows = options.direction === 'backwards'
      ? this.stmt.readBwd.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, max)
      : this.stmt.readFwd.all(streamId, options.fromRevision ?? 0, max);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAfter(options.after, options.maxCount ?? 1000);
  }

  private readAfter(after: Position | undefined, maxCount: number): RecordedEvent[] {
    return this.stmt.readAll.all(after ?? 0, maxCount).map(toRecorded);
  }

  subscribeToAll(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new EventStoreUnavailableError('event store is closed');
    const subscription = pollingSubscription(
      {
        readAfter: (after, max) => (this.closed ? [] : this.readAfter(after, max)),
        headPosition: () => (this.closed ? undefined : (this.stmt.maxPosition.get()?.p ?? undefined)),
        onAppend: (listener) => {
          this.appended.on('append', listener);
          return () => this.appended.off('append', listener);
        },
      },
      handler,
      { ...options, pollMs: this.pollMs },
    );
    this.subscriptions.add(subscription);
    return {
      get lastPosition() {
        return subscription.lastPosition;
      },
      caughtUp: subscription.caughtUp,
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  /**
   * Another connection to this file (a worker thread, another process) appended: look now instead
   * of at the next poll.
   */
  noticeAppend(): void {
    this.appended.emit('append');
  }

  async ping(): Promise<void> {
    if (this.closed) throw new EventStoreUnavailableError('event store is closed');
    try {
      this.stmt.maxPosition.get();
    } catch (error) {
      throw new EventStoreUnavailableError(`SQLite event store unreadable: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued appends commit: a caller that was promised an append gets it.
    this.flush();
    this.closed = true;
    // Live subscriptions end with a reason rather than silently finding nothing more.
    for (const s of this.subscriptions) s.abort(new EventStoreUnavailableError('event store closed'));
    this.subscriptions.clear();
    this.appended.emit('append');
    this.db.close();
  }
}
