import type { EventHandler, Position, RecordedEvent, SubscribeOptions, Subscription } from '../../application/ports/event-store.js';

export interface PollingSource {
  readAfter(after: Position | undefined, maxCount: number): RecordedEvent[] | Promise<RecordedEvent[]>;
  headPosition(): Position | undefined | Promise<Position | undefined>;
  /** Registers a wake-up for appends made in this process; returns the unregister function. */
  onAppend(listener: () => void): () => void;
}

/** A subscription its store can end from outside (when the store itself closes). */
export interface PollingSubscription extends Subscription {
  abort(error: Error): void;
}

const BATCH = 500;

/**
 * A catch-up subscription over a store that can be read by position: read pages after the last
 * delivered position, then wait for an in-process append or the poll interval (which is how appends
 * by another process on the same file are noticed).
 *
 * A failed read (the file busy beyond the busy timeout, an I/O hiccup) is retried from the last
 * delivered position. A failing handler is not: that event is poison for this subscriber, so the
 * subscription ends, `caughtUp` rejects if it had not resolved, and `onError` is told once.
 */
export function pollingSubscription(source: PollingSource, handler: EventHandler, options: SubscribeOptions & { pollMs: number }): PollingSubscription {
  let lastPosition = options.after;
  let closed = false;
  let failed = false;
  let wake: (() => void) | undefined;
  let resolveCaughtUp!: () => void;
  let rejectCaughtUp!: (error: Error) => void;
  const caughtUp = new Promise<void>((resolve, reject) => {
    resolveCaughtUp = resolve;
    rejectCaughtUp = reject;
  });
  // Nobody has to await caughtUp; a rejection nobody awaits must not become an unhandled one.
  caughtUp.catch(() => undefined);
  const unregister = source.onAppend(() => wake?.());

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    closed = true;
    unregister();
    wake?.();
    rejectCaughtUp(error);
    options.onError?.(error);
  };

  const retrying = async <T>(read: () => T | Promise<T>): Promise<{ value: T } | undefined> => {
    for (let delay = 50; !closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        return { value: await read() };
      } catch {
        await sleep(delay);
      }
    }
    return undefined;
  };

  const loop = (async () => {
    const head = await retrying(() => source.headPosition());
    if (!head) return;
    let isCaughtUp = false;
    while (!closed) {
      const page = await retrying(() => source.readAfter(lastPosition, BATCH));
      if (!page) return;
      for (const event of page.value) {
        if (closed) return;
        await handler(event);
        lastPosition = event.position;
      }
      if (!isCaughtUp && (page.value.length < BATCH || head.value === undefined || (lastPosition ?? 0) >= head.value)) {
        isCaughtUp = true;
        resolveCaughtUp();
      }
      if (page.value.length < BATCH && !closed) await sleep(options.pollMs);
    }
  })().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));

  return {
    get lastPosition() {
      return lastPosition;
    },
    caughtUp,
    abort: fail,
    async close() {
      if (!closed) {
        closed = true;
        unregister();
        wake?.();
        resolveCaughtUp();
      }
      await loop;
    },
  };
}
