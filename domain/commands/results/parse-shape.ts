import type { JsonObject, JsonValue } from '../../shared/json.js';
import { isPlainObject } from '../plain-object.js';
import { canonicalJson } from './canonical.js';
import { decodeBase64, sha256Hex } from './digest.js';
import type { ArrayShape, DictionaryShape, Shape } from './shape.js';

/** What a `data` value becomes: enough to recognise it again, small enough for an event. */
export type DataDigest = { readonly sha256: string; readonly size: number };

export interface ParseContext {
  /** Set when a list or map held more entries than its bound and was cut. */
  truncated: boolean;
}

const MAX_DATA_BYTES = 4 * 1024 * 1024;
const MAX_KEY_LENGTH = 255;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export const isReportObject = isPlainObject;

function sortKey(item: JsonValue, order: string): string {
  const member = item !== null && typeof item === 'object' && !Array.isArray(item) ? item[order] : undefined;
  return typeof member === 'string' ? member : '';
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts by `key`, then by canonical content: a total order, so equal sets always come out equal. */
export function sortEntries<T extends JsonValue>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: key(item), content: canonicalJson(item) }))
    .sort((a, b) => compare(a.key, b.key) || compare(a.content, b.content))
    .map((k) => k.item);
}

/** Keeps the first `max` items (after sorting, so the same set is always cut the same way). */
export function bounded<T>(items: T[], max: number, ctx: ParseContext): T[] {
  if (items.length <= max) return items;
  ctx.truncated = true;
  return items.slice(0, max);
}

function parseArray(shape: ArrayShape, value: unknown, ctx: ParseContext): JsonValue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const order = shape.order;
  if (order === 'keep') return bounded(value, shape.max, ctx).map((v) => parseShape(shape.of, v, ctx)).filter((v): v is JsonValue => v !== undefined);
  const items = value.map((v) => parseShape(shape.of, v, ctx)).filter((v): v is JsonValue => v !== undefined);
  return bounded(sortEntries(items, order === 'content' ? () => '' : (item) => sortKey(item, order)), shape.max, ctx);
}

export function parseDictionary(shape: DictionaryShape, value: unknown, ctx: ParseContext): JsonObject | undefined {
  if (!isReportObject(value)) return undefined;
  const entries: [string, JsonValue][] = [];
  for (const [key, fieldShape] of Object.entries(shape.fields)) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const parsed = parseShape(fieldShape, value[key], ctx);
    if (parsed !== undefined) entries.push([key, parsed]);
  }
  const result = Object.fromEntries(entries);
  return shape.required.every((key) => Object.prototype.hasOwnProperty.call(result, key)) ? result : undefined;
}

function parseMap(of: Shape, max: number, value: unknown, ctx: ParseContext): JsonObject | undefined {
  if (!isReportObject(value)) return undefined;
  const keys = Object.keys(value).filter((k) => k.length > 0 && k.length <= MAX_KEY_LENGTH).sort();
  if (keys.length > max) ctx.truncated = true;
  const entries: [string, JsonValue][] = [];
  for (const key of keys.slice(0, max)) {
    const parsed = parseShape(of, value[key], ctx);
    if (parsed !== undefined) entries.push([key, parsed]);
  }
  return Object.fromEntries(entries);
}

export function digestOf(base64: string): DataDigest | undefined {
  if (base64.length > (MAX_DATA_BYTES * 4) / 3 + 4) return undefined;
  const bytes = decodeBase64(base64);
  return bytes ? { sha256: sha256Hex(bytes), size: bytes.length } : undefined;
}

/**
 * Reads `value` as `shape`. Reports are device input: a value of the wrong type is left out rather
 * than failing the whole report, and every list and string is bounded.
 */
export function parseShape(shape: Shape, value: unknown, ctx: ParseContext): JsonValue | undefined {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' && value.length <= shape.max ? value : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) ? value : undefined;
    case 'data':
      return typeof value === 'string' ? digestOf(value) : undefined;
    case 'array':
      return parseArray(shape, value, ctx);
    case 'dictionary':
      return parseDictionary(shape, value, ctx);
    case 'map':
      return parseMap(shape.of, shape.max, value, ctx);
  }
}
