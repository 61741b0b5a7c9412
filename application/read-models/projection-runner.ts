import type { Clock } from '../ports/clock.js';
import { CheckpointConflictError, type CollectionBatch, type DocumentStore, type ProjectionCheckpoint, type ProjectionFailure } from '../ports/document-store.js';
import type { EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import type { Projection } from '../../projections/projection.js';
import { collectionVersion, newCollectionName } from './collection-names.js';
import { DocumentCache } from './document-cache.js';
import { foldBatch, type FoldedBatch } from './fold-batch.js';
import { BEFORE_FIRST_EVENT } from './positions.js';
import { ProjectionRebuildError, rebuildProjection } from './rebuild-projection.js';

export type ProjectionState = 'starting' | 'running' | 'rebuilding' | 'failed' | 'stopped';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly state: ProjectionState;
  readonly collection?: string;
  /** Last event position applied (0: none yet; event positions start above 0). */
  readonly position: Position;
  /** Events the runner has received and this projection has not applied yet. */
  readonly lagEvents: number;
  /** How long the oldest of those has waited (0 when caught up). */
  readonly lagSeconds: number;
  /** Time of the last event applied. */
  readonly lastEventAt?: string;
  readonly failure?: ProjectionFailure;
}

export interface RunnerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Events per batch (one transaction). Small enough that a batch never holds the event loop long. */
  readonly batchSize?: number;
  /** Documents kept in memory per projection between batches. */
  readonly cacheSize?: number;
  /** Told after every committed batch: events folded and milliseconds spent. */
  readonly onBatch?: (events: number, ms: number) => void;
  /** Told when a projection stops on an event it cannot apply. */
  readonly onFailure?: (name: string, failure: ProjectionFailure) => void;
  /** How often projections that are not running look for a rebuild that switched them, in ms. */
  readonly watchMs?: number;
}

interface Slot {
  readonly projection: Projection<object>;
  state: ProjectionState;
  collection: string;
  position: Position;
  lastEventAt?: string;
  failure?: ProjectionFailure;
  cache: DocumentCache;
}

/**
 * Keeps every read model up to date from one subscription to all events: events are queued by the
 * subscription (which waits when the queue is full: back-pressure, never loss), taken in batches,
 * folded per projection into one write per document and committed together with each projection's
 * checkpoint. It never sits on the request path: appends do not wait for it, and between batches
 * it yields to the event loop.
 *
 * A projection that throws on an event stops there (its checkpoint stays before the event, the
 * failure is recorded); the others carry on. A rebuild in another process switches a projection's
 * checkpoint to a new collection; the runner notices at its next commit (a checkpoint conflict)
 * or by watching, reloads, and resumes from there.
 */
export class ProjectionRunner {
  private readonly slots: Slot[];
  private readonly batchSize: number;
  private queue: RecordedEvent[] = [];
  private subscription: Subscription | undefined;
  private subscriptionGeneration = 0;
  private wakeProcessor: (() => void) | undefined;
  private wakeSubscriber: (() => void) | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private readonly rebuilds = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ position: Position; names: readonly string[] | undefined; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }> = [];
  private wakeBackoff: (() => void) | undefined;
  /** Position of the last event taken off the queue and processed. */
  private consumedUpTo: Position = 0;
  private reloadRequested = false;

  constructor(
    private readonly events: EventStore,
    private readonly documents: DocumentStore,
    projections: readonly Projection<object>[],
    private readonly options: RunnerOptions,
  ) {
    this.batchSize = options.batchSize ?? 1_000;
    this.slots = projections.map((projection) => ({ projection, state: 'starting', collection: '', position: 0, cache: new DocumentCache(options.cacheSize ?? 20_000) }));
  }

  /** Loads checkpoints (creating collections for new projections) and starts following events. */
  start(): Promise<void> {
    this.starting ??= this.begin();
    return this.starting;
  }

  private async begin(): Promise<void> {
    for (const slot of this.slots) {
      if (this.stopped) return;
      await this.prepare(slot);
    }
    // Stopped while the checkpoints were read: following now would outlive the stores.
    if (this.stopped) return;
    this.subscribe();
    this.loop = this.run();
    this.watchTimer = setInterval(() => this.watch(), this.options.watchMs ?? 2_000);
    this.watchTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.starting?.catch(() => undefined);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.wakeProcessor?.();
    this.wakeBackoff?.();
    this.wakeSubscriber?.();
    await this.subscription?.close();
    await this.loop;
    // A reload that was under way may have followed again meanwhile.
    await this.subscription?.close();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    for (const slot of this.slots) if (slot.state === 'running') slot.state = 'stopped';
    // A rebuild writes to the stores the caller is about to close: it stops at its next page and clears up.
    await Promise.all(this.rebuilds);
  }

  status(): ProjectionStatus[] {
    const now = this.options.clock.now().getTime();
    return this.slots.map((slot) => {
      const pending = this.queue.filter((e) => e.position > slot.position);
      const oldest = pending[0];
      return {
        name: slot.projection.name,
        version: slot.projection.version,
        state: slot.state,
        ...(slot.collection ? { collection: slot.collection } : {}),
        position: slot.position,
        lagEvents: pending.length,
        lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.recordedAt)) / 1000) : 0,
        ...(slot.lastEventAt ? { lastEventAt: slot.lastEventAt } : {}),
        ...(slot.failure ? { failure: slot.failure } : {}),
      };
    });
  }

  /**
   * Read-your-writes: resolves true once every running projection has applied `position` (an
   * append's result), false after `timeoutMs`.
   */
  waitFor(position: Position, timeoutMs: number, names?: readonly string[]): Promise<boolean> {
    if (this.reached(position, names)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, names, resolve, timer: setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(this.reached(position, names));
      }, timeoutMs) };
      this.waiters.push(waiter);
    });
  }

  /**
   * Without names: every projection that has not failed or is being rebuilt has applied `position`
   * (one failed projection does not hold up the others). With names: each of those has applied it;
   * a failed or rebuilding one is not fresh, whatever its position says.
   */
  private reached(position: Position, names?: readonly string[]): boolean {
    const slots = names ? this.slots.filter((s) => names.includes(s.projection.name)) : this.slots;
    // A stopped runner still answers for what it applied before it stopped.
    return slots.every((s) => (s.state === 'running' || s.state === 'stopped' ? s.position >= position : !names && (s.state === 'failed' || s.state === 'rebuilding')));
  }

  private async prepare(slot: Slot): Promise<void> {
    const { projection } = slot;
    const checkpoint = await this.documents.readCheckpoint(projection.name);
    if (checkpoint && collectionVersion(projection.name, checkpoint.collection) === projection.version) {
      await this.documents.ensureCollection(checkpoint.collection, projection.indexes ?? []);
      this.adopt(slot, checkpoint);
      return;
    }
    if (!checkpoint) {
      const collection = newCollectionName(projection.name, projection.version, this.options.clock.now());
      await this.documents.ensureCollection(collection, projection.indexes ?? []);
      const created = { name: projection.name, collection, position: BEFORE_FIRST_EVENT, updatedAt: this.options.clock.now().toISOString(), expected: undefined };
      try {
        await this.documents.commit([{ collection, writes: [], checkpoint: created }]);
      } catch (error) {
        // Another process created it first: use theirs.
        if (!(error instanceof CheckpointConflictError)) throw error;
        await this.documents.dropCollection(collection);
        return this.prepare(slot);
      }
      this.adopt(slot, { ...created });
      return;
    }
    // A new version of the projection: rebuild beside the old collection, which serves until the switch.
    slot.state = 'rebuilding';
    slot.collection = checkpoint.collection;
    slot.position = checkpoint.position;
    this.options.logger.info('projection version changed; rebuilding', { projection: projection.name, from: checkpoint.collection, version: projection.version });
    this.rebuildInBackground(slot, 0);
  }

  /** Rebuilds a slot's projection beside the live collection; a failed attempt is tried again later. */
  private rebuildInBackground(slot: Slot, attempt: number): void {
    const { projection } = slot;
    const rebuild = rebuildProjection({ events: this.events, documents: this.documents, clock: this.options.clock }, projection, {
      signal: this.stopping.signal,
      onProgress: (p) => this.options.logger.debug('projection rebuild progress', { projection: projection.name, events: p.events, position: p.position }),
    }).then(
      (result) => {
        this.options.logger.info('projection rebuilt', { projection: projection.name, collection: result.collection, events: result.events, ms: result.elapsedMs });
        this.reloadRequested = true;
        this.wakeProcessor?.();
      },
      (error: unknown) => {
        if (this.stopping.signal.aborted) {
          this.options.logger.info('projection rebuild stopped; it starts over at the next start', { projection: projection.name });
          return;
        }
        if (error instanceof ProjectionRebuildError && error.poison) {
          // The new version cannot apply an event: replaying again would fail the same way.
          slot.state = 'failed';
          slot.failure = { ...error.poison, failedAt: this.options.clock.now().toISOString() };
          this.options.logger.error('projection rebuild stopped on an event it cannot apply', { projection: projection.name, ...slot.failure });
          this.options.onFailure?.(projection.name, slot.failure);
          return;
        }
        const retryMs = Math.min(600_000, 30_000 * 2 ** Math.min(attempt, 4));
        this.options.logger.error('projection rebuild failed; trying again', { projection: projection.name, error, retryInMs: retryMs });
        const timer = setTimeout(() => {
          if (!this.stopped && slot.state === 'rebuilding') this.rebuildInBackground(slot, attempt + 1);
        }, retryMs);
        timer.unref();
      },
    );
    this.rebuilds.add(rebuild);
    void rebuild.finally(() => this.rebuilds.delete(rebuild));
  }

  private adopt(slot: Slot, checkpoint: Pick<ProjectionCheckpoint, 'collection' | 'position' | 'failure'>): void {
    // Another collection, or a position this runner did not commit (a rebuild's switch, or a store
    // that committed part of a failed batch): what the cache holds may not be what is stored.
    if (slot.collection !== checkpoint.collection || slot.position !== checkpoint.position) slot.cache.clear();
    slot.collection = checkpoint.collection;
    slot.position = checkpoint.position;
    if (checkpoint.failure) {
      slot.state = 'failed';
      slot.failure = checkpoint.failure;
    } else {
      slot.state = 'running';
      delete slot.failure;
    }
  }

  /** Re-reads every checkpoint; resubscribes from further back when one moved behind what was consumed. */
  private async reload(): Promise<void> {
    if (this.stopped) return;
    for (const slot of this.slots) {
      const checkpoint = await this.documents.readCheckpoint(slot.projection.name);
      if (!checkpoint) continue;
      if (collectionVersion(slot.projection.name, checkpoint.collection) !== slot.projection.version) {
        // Being rebuilt for this version, or switched to another version's collection by a server
        // of another release: never write this version's documents into it.
        if (slot.state === 'failed') continue;
        if (slot.state !== 'rebuilding') this.options.logger.warn('projection checkpoint names a collection of another version; pausing it', { projection: slot.projection.name, collection: checkpoint.collection, version: slot.projection.version });
        slot.state = 'rebuilding';
        continue;
      }
      if (checkpoint.collection !== slot.collection) await this.documents.ensureCollection(checkpoint.collection, slot.projection.indexes ?? []);
      this.adopt(slot, checkpoint);
    }
    const from = this.startPosition();
    if (from !== undefined && (this.subscription === undefined || from < this.consumedUpTo)) this.subscribe();
  }

  /**
   * Every projection looks for a rebuild that switched it (a stopped one to resume, an idle one to
   * report the position it is really at). Only a request: the
   * reload itself happens in run() between batches, never while a batch is being folded (a slot
   * that came back mid-batch would otherwise miss that batch's events).
   */
  private watch(): void {
    if (this.stopped) return;
    this.reloadRequested = true;
    this.wakeProcessor?.();
  }

  /** The position to follow from: the least advanced running projection. */
  private startPosition(): Position | undefined {
    const running = this.slots.filter((s) => s.state === 'running');
    return running.length ? Math.min(...running.map((s) => s.position)) : undefined;
  }

  /** (Re)starts following events after the least advanced running projection; none running: no subscription. */
  private subscribe(): void {
    if (this.stopped) return;
    const generation = ++this.subscriptionGeneration;
    const previous = this.subscription;
    this.queue = [];
    this.wakeSubscriber?.();
    if (previous) void previous.close().catch(() => undefined);
    const from = this.startPosition();
    this.subscription = undefined;
    if (from === undefined) return;
    this.consumedUpTo = from;
    this.subscription = this.events.subscribeToAll(
      async (event) => {
        if (generation !== this.subscriptionGeneration || this.stopped) return;
        this.queue.push(event);
        this.wakeProcessor?.();
        while (this.queue.length >= this.batchSize * 4 && generation === this.subscriptionGeneration && !this.stopped) {
          await new Promise<void>((resolve) => (this.wakeSubscriber = resolve));
        }
      },
      {
        ...(from > 0 ? { after: from } : {}),
        onError: (error) => {
          if (generation !== this.subscriptionGeneration || this.stopped) return;
          this.options.logger.error('projection subscription ended; resubscribing', { error });
          setTimeout(() => {
            if (generation === this.subscriptionGeneration && !this.stopped) this.subscribe();
          }, 1_000).unref();
        },
      },
    );
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      // Every running projection must have applied what was taken off the queue; one that a reload
      // moved back (a rebuild's switch) needs those events again: follow from it.
      if (this.slots.some((s) => s.state === 'running' && s.position < this.consumedUpTo)) {
        this.subscribe();
        continue;
      }
      if (this.reloadRequested) {
        this.reloadRequested = false;
        await this.reload().catch((error: unknown) => this.options.logger.warn('reading projection checkpoints failed', { error }));
        continue;
      }
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wakeProcessor = resolve));
        this.wakeProcessor = undefined;
        continue;
      }
      const batch = this.queue.slice(0, this.batchSize);
      try {
        const started = Date.now();
        await this.process(batch);
        // Only now: a failed batch is retried from the same events.
        if (this.queue[0] === batch[0]) {
          this.queue.splice(0, batch.length);
          this.consumedUpTo = batch[batch.length - 1]!.position;
        }
        this.wakeSubscriber?.();
        this.options.onBatch?.(batch.length, Date.now() - started);
        this.settleWaiters();
        backoff = 100;
        // Let requests in between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } catch (error) {
        if (!(error instanceof CheckpointConflictError)) {
          this.options.logger.warn('projection batch failed; retrying', { error, backoffMs: backoff });
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoff);
            timer.unref();
            // stop() does not wait out the backoff.
            this.wakeBackoff = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeBackoff = undefined;
          if (this.stopped) return;
          backoff = Math.min(backoff * 2, 10_000);
        }
        await this.reload().catch((e: unknown) => this.options.logger.warn('reading projection checkpoints failed', { error: e }));
      }
    }
  }

  private async process(batch: readonly RecordedEvent[]): Promise<void> {
    const folds: Array<{ slot: Slot; folded: FoldedBatch }> = [];
    for (const slot of this.slots) {
      if (slot.state !== 'running') continue;
      const events = slot.position < batch[0]!.position ? batch : batch.filter((e) => e.position > slot.position);
      if (events.length === 0) continue;
      folds.push({ slot, folded: await foldBatch(slot.projection, slot.collection, events, slot.position, this.documents, slot.cache) });
    }
    const now = this.options.clock.now().toISOString();
    const batches: CollectionBatch[] = folds
      .filter(({ slot, folded }) => folded.position !== slot.position || folded.writes.length > 0)
      .map(({ slot, folded }) => ({
        collection: slot.collection,
        writes: folded.writes,
        checkpoint: { name: slot.projection.name, collection: slot.collection, position: folded.position, updatedAt: now, expected: { collection: slot.collection, position: slot.position } },
      }));
    if (batches.length > 0) await this.documents.commit(batches);
    for (const { slot, folded } of folds) {
      if (!slot.projection.insertOnly) for (const [id, entry] of folded.changed) slot.cache.set(id, entry);
      if (folded.position !== slot.position) {
        slot.position = folded.position;
        const last = batch.find((e) => e.position === folded.position);
        if (last) slot.lastEventAt = last.recordedAt;
      }
      if (folded.poison) await this.fail(slot, folded.poison.event, folded.poison.error);
    }
  }

  private async fail(slot: Slot, event: RecordedEvent, error: Error): Promise<void> {
    const failure: ProjectionFailure = { position: event.position, eventType: event.type, streamId: event.streamId, message: error.message, failedAt: this.options.clock.now().toISOString() };
    slot.state = 'failed';
    slot.failure = failure;
    this.options.logger.error('projection stopped on an event it cannot apply', { projection: slot.projection.name, ...failure });
    this.options.onFailure?.(slot.projection.name, failure);
    await this.documents.recordFailure(slot.projection.name, failure).catch((e: unknown) => this.options.logger.warn('recording a projection failure failed', { error: e }));
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (!this.reached(w.position, w.names)) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  }
}
