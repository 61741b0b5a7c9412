import { START, excludeSystemEvents, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  type EventHandler,
  type Position,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.js';
import type { Logger } from '../../../application/ports/logger.js';
import { toLogEntry, type LogEntry } from './codec.js';
import { fromPosition } from './convert.js';
import { withDeadline } from './deadline.js';
import { isTransient } from './errors.js';
import { readAllPage } from './reads.js';

export interface SubscriptionContext {
  /** A fresh client per attempt: a dropped or timed-out one is disposed with whatever it holds. */
  newClient(): EventStoreDBClient;
  disposeClient(client: EventStoreDBClient): void;
  readonly deadlineMs: number;
  readonly logger?: Logger;
}

const PAGE = 500;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** Wraps what the handler threw, so it is not mistaken for a dropped connection. */
class HandlerFailed {
  constructor(readonly error: unknown) {}
}

/**
 * subscribeToAll over EventStoreDB.
 *
 * Catch-up is done with our own pages of $all, not by the subscription: that is what makes
 * `caughtUp` exact on every server version (only recent servers send a CaughtUp message, and a
 * filtered subscription says nothing while it skips system events), and each page has a deadline. Then a live subscription starts from the last position considered; the
 * server begins after the event at that position, and we skip anything at or before it anyway, so
 * a resubscription never repeats an event and, starting where the last one ended, never skips one.
 *
 * Events are pulled with `for await` and the handler is awaited: one event at a time, in position
 * order, and a slow handler holds back the gRPC stream (flow control) instead of buffering.
 *
 * A drop or timeout resubscribes with backoff (100 ms doubling to 5 s). It gives up, calling
 * onError, when the handler throws (that event would fail again), when the server refuses (access
 * denied, an event we cannot represent), or when the store is closed under it.
 */
export class EsdbSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private settleCaughtUp!: (error?: Error) => void;
  /** Exclusive lower bound of what is still to deliver: the last position considered. */
  private cursor: Position | undefined;
  private last: Position | undefined;
  private stopping = false;
  private giveUpReason: Error | undefined;
  private readonly stopped = new AbortController();
  private live: AllStreamSubscription | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly ctx: SubscriptionContext,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions,
    onFinished: (subscription: EsdbSubscription) => void,
  ) {
    this.cursor = options.after;
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.settleCaughtUp = (error) => (error ? reject(error) : resolve());
    });
    this.caughtUp.catch(() => undefined); // a rejection nobody awaits is not a crash
    this.done = this.run()
      .then(() => this.giveUpReason && this.giveUp(this.giveUpReason, 'info'), (error: unknown) => this.giveUp(error, 'error'))
      .finally(() => onFinished(this));
  }

  get lastPosition(): Position | undefined {
    return this.last;
  }

  async close(): Promise<void> {
    this.stop();
    await this.done;
  }

  /** Stops for a reason the subscriber must hear about (the store closing under it). */
  abandon(reason: Error): Promise<void> {
    this.giveUpReason ??= reason;
    this.stop();
    return this.done;
  }

  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopped.abort();
    const live = this.live;
    if (live) {
      live.destroy(); // ends the `for await` now; cancelling alone leaves it waiting
      void live.unsubscribe().catch(() => undefined);
    }
    this.settleCaughtUp();
  }

  private giveUp(error: unknown, level: 'info' | 'error'): void {
    this.stopping = true;
    const err = error instanceof Error ? error : new Error(String(error));
    this.settleCaughtUp(err);
    this.ctx.logger?.[level]('EventStoreDB subscription gave up', { after: this.cursor, error: err.message });
    try {
      this.options.onError?.(err);
    } catch (thrown) {
      this.ctx.logger?.error('subscription onError threw', { error: String(thrown) });
    }
  }

  private async run(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let caughtUp = false;
    while (!this.stopping) {
      const client = this.ctx.newClient();
      try {
        if (!caughtUp) {
          await this.catchUp(client);
          if (this.stopping) break;
          caughtUp = true;
          this.settleCaughtUp();
        }
        await this.follow(client, () => (delay = FIRST_RETRY_MS));
        // The server ended the call without an error: resubscribe all the same.
      } catch (error) {
        if (this.stopping) break;
        if (error instanceof HandlerFailed) throw error.error;
        if (!isTransient(error)) throw error;
        this.ctx.logger?.warn('EventStoreDB subscription dropped; resubscribing', { after: this.cursor, retryInMs: delay, error: (error as Error).message });
      } finally {
        this.ctx.disposeClient(client);
      }
      if (this.stopping) break;
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  private async catchUp(client: EventStoreDBClient): Promise<void> {
    for (;;) {
      const timedOut = new AbortController();
      const signal = AbortSignal.any([this.stopped.signal, timedOut.signal]);
      const page = await withDeadline(readAllPage(client, this.cursor, PAGE, signal), this.ctx.deadlineMs, 'a subscription catch-up read', () => timedOut.abort());
      for (const entry of page.entries) {
        if (this.stopping) return;
        await this.deliver(entry);
      }
      if (page.end || this.stopping) return;
    }
  }

  private async follow(client: EventStoreDBClient, onEvent: () => void): Promise<void> {
    const sub = client.subscribeToAll({
      fromPosition: this.cursor === undefined ? START : fromPosition(this.cursor),
      filter: excludeSystemEvents(),
    });
    this.live = sub;
    // The server confirms a subscription first; an endpoint that never does is not there.
    let confirmed = false;
    sub.once('confirmation', () => (confirmed = true));
    const unconfirmed = setTimeout(() => {
      if (!confirmed) sub.destroy(new EventStoreUnavailableError(`EventStoreDB did not confirm the subscription within ${this.ctx.deadlineMs} ms`));
    }, this.ctx.deadlineMs);
    try {
      if (this.stopping) return;
      for await (const resolved of sub) {
        if (this.stopping) return;
        const entry = toLogEntry(resolved);
        if (!entry) continue;
        onEvent();
        await this.deliver(entry);
      }
    } finally {
      clearTimeout(unconfirmed);
      this.live = undefined;
      sub.destroy();
      await sub.unsubscribe().catch(() => undefined);
    }
  }

  private async deliver(entry: LogEntry): Promise<void> {
    if (this.stopping || (this.cursor !== undefined && entry.position <= this.cursor)) return;
    if (entry.event) {
      try {
        await this.handler(entry.event);
      } catch (error) {
        throw new HandlerFailed(error);
      }
      this.last = entry.position;
    }
    this.cursor = entry.position;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopped.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopped.signal.addEventListener('abort', done, { once: true });
    });
  }
}
