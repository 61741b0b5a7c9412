import type { EventHandler, Position, RecordedEvent, SubscribeOptions, Subscription } from '../../application/ports/event-store.js';

export interface PollingSource {
  readAfter(after: Position | undefined, maxCount: number): RecordedEvent[] | Promise<RecordedEvent[]>;
  headPosition(): Position | undefined | Promise<Position | undefined>;
  /** Registers a wake-up for appends made in this process; returns the unregister function. */
  onAppend(listener: () => void): () => void;
}

const BATCH = 500;

/**
 * A catch-up subscription over a store that can be read by position: read pages after the last
 * delivered position, then wait for an in-process append or the poll interval (which is how appends
 * by another process on the same file are noticed).
 */
export function pollingSubscription(source: PollingSource, handler: EventHandler, options: SubscribeOptions & { pollMs: number }): Subscription {
  let lastPosition = options.after;
  let closed = false;
  let wake: (() => void) | undefined;
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => (resolveCaughtUp = r));
  const unregister = source.onAppend(() => wake?.());

  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.pollMs);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  // A failed read (the file busy beyond the busy timeout, an I/O hiccup) is retried from the last
  // delivered position; a failing handler is not: that event is poison for this subscriber.
  const readWithRetry = async (read: () => RecordedEvent[] | Promise<RecordedEvent[]>): Promise<RecordedEvent[] | undefined> => {
    for (let delay = 50; !closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        return await read();
      } catch {
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    return undefined;
  };

  const loop = (async () => {
    const head = await source.headPosition();
    let isCaughtUp = false;
    while (!closed) {
      const page = await readWithRetry(() => source.readAfter(lastPosition, BATCH));
      if (!page) return;
      for (const event of page) {
        if (closed) return;
        await handler(event);
        lastPosition = event.position;
      }
      if (!isCaughtUp && (page.length < BATCH || head === undefined || (lastPosition ?? 0) >= head)) {
        isCaughtUp = true;
        resolveCaughtUp();
      }
      if (page.length < BATCH && !closed) await sleep();
    }
  })().catch((error: unknown) => {
    closed = true;
    const err = error instanceof Error ? error : new Error(String(error));
    if (options.onError) options.onError(err);
  });

  return {
    get lastPosition() {
      return lastPosition;
    },
    caughtUp,
    async close() {
      closed = true;
      unregister();
      wake?.();
      resolveCaughtUp();
      await loop;
    },
  };
}
