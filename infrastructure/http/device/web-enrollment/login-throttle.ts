import { LruMap } from '../identity/lru-map.js';
import { sourceKey } from '../identity/failure-rate-limiter.js';

export interface LoginThrottleOptions {
  /** Failed sign-ins per user name within the window before further attempts wait. */
  readonly maxFailuresPerUser: number;
  /** Failed sign-ins per client address (an IPv6 /64 counts as one) within the window. */
  readonly maxFailuresPerAddress: number;
  readonly windowMs: number;
  /** User names and addresses tracked at once; the least recently failed are forgotten first. */
  readonly maxKeys?: number;
}

/**
 * Limits password guessing on the enrollment page: after too many failures in the window, for a
 * user name or from an address, attempts are refused (429) until the oldest of those failures
 * leaves the window. Refused attempts do not run the password check at all. A success clears the
 * user name's failures. Memory is bounded: each key keeps at most its limit of timestamps.
 */
export class LoginThrottle {
  private readonly failures: LruMap<string, number[]>;

  constructor(private readonly options: LoginThrottleOptions) {
    if (!(options.windowMs > 0) || options.maxFailuresPerUser < 1 || options.maxFailuresPerAddress < 1) throw new Error('login limits must be positive');
    this.failures = new LruMap(options.maxKeys ?? 100_000);
  }

  /** Milliseconds until an attempt for this user name from this address is allowed; 0: now. */
  retryAfterMs(remoteAddress: string, username: string | undefined, now: number): number {
    const waits = [this.wait(addressKey(remoteAddress), this.options.maxFailuresPerAddress, now)];
    if (username !== undefined) waits.push(this.wait(userKey(username), this.options.maxFailuresPerUser, now));
    return Math.max(...waits);
  }

  recordFailure(remoteAddress: string, username: string | undefined, now: number): void {
    this.add(addressKey(remoteAddress), this.options.maxFailuresPerAddress, now);
    if (username !== undefined) this.add(userKey(username), this.options.maxFailuresPerUser, now);
  }

  recordSuccess(username: string): void {
    this.failures.delete(userKey(username));
  }

  /**
   * Counts an attempt as failed before its password check runs: otherwise many attempts sent at
   * once would all pass the limit check while the (slow, on purpose) checks are in flight.
   * `attemptSucceeded` takes it back.
   */
  beginAttempt(remoteAddress: string, username: string | undefined, now: number): void {
    this.recordFailure(remoteAddress, username, now);
  }

  attemptSucceeded(remoteAddress: string, username: string | undefined, startedAt: number): void {
    if (username !== undefined) this.failures.delete(userKey(username));
    const key = addressKey(remoteAddress);
    const times = this.failures.get(key);
    const index = times?.lastIndexOf(startedAt) ?? -1;
    if (times && index >= 0) this.failures.set(key, [...times.slice(0, index), ...times.slice(index + 1)]);
  }

  private wait(key: string, limit: number, now: number): number {
    const times = this.recent(key, now);
    if (times.length < limit) return 0;
    return times[times.length - limit]! + this.options.windowMs - now;
  }

  private add(key: string, limit: number, now: number): void {
    const times = [...this.recent(key, now), now];
    this.failures.set(key, times.slice(-limit));
  }

  private recent(key: string, now: number): number[] {
    // A clock that stepped back keeps its entries: they count as inside the window.
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.options.windowMs);
  }
}

const addressKey = (remoteAddress: string) => `a ${sourceKey(remoteAddress)}`;
const userKey = (username: string) => `u ${username}`;
