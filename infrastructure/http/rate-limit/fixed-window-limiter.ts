export interface FixedWindowLimiterOptions {
  /** Hits allowed per key within one window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Keys tracked at once; default 50,000. Expired windows are swept first, then the oldest is dropped. */
  readonly maxKeys?: number;
}

interface Window {
  readonly startedAt: number;
  hits: number;
}

/**
 * Counts hits per key (a client address) in fixed windows: each key's window starts at its first
 * hit, and once `limit` hits are in it, further hits are refused until it ends. Memory is bounded
 * to `maxKeys` windows of two numbers each. When full, windows that ended are swept; if none has,
 * the oldest window is dropped (its key starts afresh): a flood from many addresses costs those
 * addresses their count rather than the server its memory or new clients their access.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;

  constructor(private readonly options: FixedWindowLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error('limit must be a positive integer');
    if (!(options.windowMs > 0)) throw new Error('windowMs must be positive');
    this.maxKeys = options.maxKeys ?? 50_000;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new Error('maxKeys must be a positive integer');
  }

  get size(): number {
    return this.windows.size;
  }

  /** Counts a hit when allowed. Returns 0 when allowed, else the milliseconds until the window ends. */
  take(key: string, now: number): number {
    const wait = this.retryAfterMs(key, now);
    if (wait === 0) this.add(key, now);
    return wait;
  }

  /** Milliseconds until `key` may hit again (0: now), counting nothing. */
  retryAfterMs(key: string, now: number): number {
    const window = this.current(key, now);
    if (!window || window.hits < this.options.limit) return 0;
    return Math.max(1, window.startedAt + this.options.windowMs - now);
  }

  /** Counts a hit whether or not it is over the limit (a failure that already happened). */
  add(key: string, now: number): void {
    const window = this.current(key, now);
    if (window) {
      window.hits++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.sweep(now);
    // Inserted at the end: the Map stays ordered by window start, oldest first.
    this.windows.set(key, { startedAt: now, hits: 1 });
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    // A clock that stepped back keeps the window: its hits still count.
    return window && now - window.startedAt < this.options.windowMs ? window : undefined;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < this.options.windowMs) break;
      this.windows.delete(key);
    }
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
  }
}
