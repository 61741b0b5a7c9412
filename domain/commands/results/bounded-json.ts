import type { JsonObject, JsonValue } from '../../shared/json.js';
import { canonicalJson } from './canonical.js';
import { isReportObject } from './parse-shape.js';

const MAX_DEPTH = 8;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function copyJson(value: unknown, depth: number): JsonValue | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map((v) => copyJson(v, depth + 1)).filter((v): v is JsonValue => v !== undefined);
  if (isReportObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, copyJson(v, depth + 1)] as const);
    return Object.fromEntries(entries.filter((e): e is readonly [string, JsonValue] => e[1] !== undefined));
  }
  return undefined;
}

/**
 * Keys of `source` not in `known`, kept as the device sent them when small: at most `maxEntries`
 * (by name), each at most `maxChars` of JSON. Larger values (attestation certificates) are left out.
 */
export function otherEntries(source: Record<string, unknown>, known: ReadonlySet<string>, maxEntries: number, maxChars: number): { entries: JsonObject; truncated: boolean } {
  const keys = Object.keys(source).filter((k) => !known.has(k) && KEY.test(k)).sort();
  const entries: [string, JsonValue][] = [];
  let truncated = false;
  for (const key of keys) {
    const value = copyJson(source[key], 1);
    if (value === undefined || canonicalJson(value).length > maxChars) continue;
    if (entries.length === maxEntries) {
      truncated = true;
      break;
    }
    entries.push([key, value]);
  }
  return { entries: Object.fromEntries(entries), truncated };
}
