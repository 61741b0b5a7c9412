import { createHash } from 'node:crypto';

/**
 * Each device has a fixed slot within the refresh interval, derived from its UDID, so refreshes are
 * spread evenly over the interval instead of all falling on the same second, and every server
 * process computes the same slot.
 */
export function refreshSlotMs(udid: string, intervalMs: number): number {
  const digest = createHash('sha256').update(udid, 'utf8').digest();
  return digest.readUIntBE(0, 6) % intervalMs;
}

/**
 * The device's latest refresh time in (fromMs, toMs], or undefined when its slot does not fall in
 * that window. With the period's index, which makes the refresh's command ids.
 */
export function dueRefresh(udid: string, intervalMs: number, fromMs: number, toMs: number): { atMs: number; period: number } | undefined {
  const slot = refreshSlotMs(udid, intervalMs);
  if (toMs < slot) return undefined;
  const period = Math.floor((toMs - slot) / intervalMs);
  const atMs = slot + period * intervalMs;
  return atMs > fromMs ? { atMs, period } : undefined;
}
