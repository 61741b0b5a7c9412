import { canonicalJson } from '../domain/commands/results/canonical.js';
import type { JsonValue } from '../domain/shared/json.js';

/**
 * Reading event data defensively: an event written by an older version (or a bug) with a field of
 * the wrong type leaves that field out of a document instead of copying it in.
 */

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
export const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
export const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const DEVICE_STREAM = 'device-';
const DEVICE_GROUP_STREAM = 'device-group-';

/** The UDID of a `device-<UDID>` stream (a `device-group-<name>` stream is not a device's). */
export function udidOfStream(streamId: string): string | undefined {
  if (!streamId.startsWith(DEVICE_STREAM) || streamId.startsWith(DEVICE_GROUP_STREAM)) return undefined;
  const udid = streamId.slice(DEVICE_STREAM.length);
  return udid.length > 0 ? udid : undefined;
}

const instant = (iso: string): number => Date.parse(iso);

/** The later of two ISO 8601 times; a time that does not parse loses to one that does. */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const [ta, tb] = [instant(a), instant(b)];
  if (Number.isNaN(tb)) return a;
  if (Number.isNaN(ta)) return b;
  return tb > ta ? b : a;
}

export function earlier(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const [ta, tb] = [instant(a), instant(b)];
  if (Number.isNaN(tb)) return a;
  if (Number.isNaN(ta)) return b;
  return tb < ta ? b : a;
}

/** Milliseconds from one ISO time to another, or undefined when either does not parse. */
export function millisBetween(from: string, to: string): number | undefined {
  const ms = instant(to) - instant(from);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Equal as JSON, whatever the key order (a stored document may come back with its keys reordered). */
export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson((a ?? null) as JsonValue) === canonicalJson((b ?? null) as JsonValue);

/** A copy without the keys whose value is undefined: documents never hold them. */
export function compact<T extends object>(value: T): T {
  // Runs for every event folded: copy only when there is something to drop.
  let clean = true;
  for (const key in value) {
    if (value[key] === undefined) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out as T;
}
