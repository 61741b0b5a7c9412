import { ipAddressBytes } from '../../../pki/ip-address.js';
import { mappedIpv4 } from './ipv4-mapped.js';

export interface FailureRateLimiterOptions {
  /** At most one record per source and reason within this many milliseconds; default 60,000. */
  readonly windowMs?: number;
  /** Most (source, reason) pairs tracked at once; default 10,000. */
  readonly maxKeys?: number;
}

export interface FailureRateLimiter {
  /** True when this failure should be recorded; false when one like it was recorded this window. */
  shouldRecord(remoteAddress: string, reason: string, now: Date | number): boolean;
  /** Failures not recorded so far (repeats and overflow), for a metric. */
  readonly suppressed: number;
}

/**
 * Keeps identity failures of unauthenticated clients from growing the event store. Memory is
 * bounded: when `maxKeys` pairs are inside their window, further new pairs are not recorded until
 * windows close, so the store takes at most `maxKeys` records per window whatever the traffic.
 * An IPv6 source counts per /64 (one host usually holds a whole /64); IPv4-mapped addresses count
 * as the IPv4 address they carry.
 */
export function failureRateLimiter(options: FailureRateLimiterOptions = {}): FailureRateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(windowMs > 0)) throw new Error('windowMs must be positive');
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error('maxKeys must be a positive integer');

  // Key -> time recorded. Entries are (re)inserted when recorded, so the oldest come first.
  const recorded = new Map<string, number>();
  let suppressed = 0;

  const dropExpired = (now: number) => {
    for (const [key, at] of recorded) {
      if (now - at < windowMs) break;
      recorded.delete(key);
    }
  };

  return {
    shouldRecord(remoteAddress, reason, now) {
      const time = typeof now === 'number' ? now : now.getTime();
      const key = `${reason} ${sourceKey(remoteAddress)}`;
      const last = recorded.get(key);
      // A clock that stepped back (time < last) also counts as inside the window.
      if (last !== undefined && time - last < windowMs) {
        suppressed++;
        return false;
      }
      dropExpired(time);
      recorded.delete(key);
      if (recorded.size >= maxKeys) {
        suppressed++;
        return false;
      }
      recorded.set(key, time);
      return true;
    },
    get suppressed() {
      return suppressed;
    },
  };
}

/** The address as one rate-limited source; not an IP (should not happen) is kept verbatim, capped. */
export function sourceKey(remoteAddress: string): string {
  const bytes = typeof remoteAddress === 'string' ? ipAddressBytes(remoteAddress) : undefined;
  if (!bytes) return String(remoteAddress).slice(0, 64);
  const ipv4 = bytes.length === 4 ? bytes : mappedIpv4(bytes);
  if (ipv4) return ipv4.join('.');
  return `${bytes.subarray(0, 8).toString('hex')}::/64`;
}
