import type { JsonObject, JsonValue } from '../../domain/shared/json.js';

const MAX_DEPTH = 64;

const isDictionary = (value: object): boolean => [Object.prototype, null].includes(Object.getPrototypeOf(value));

function toJson(value: unknown, depth: number): JsonValue | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1)).filter((v): v is JsonValue => v !== undefined);
  if (isDictionary(value)) {
    const entries = Object.entries(value).map(([k, v]) => [k, toJson(v, depth + 1)] as const);
    return Object.fromEntries(entries.filter((e): e is readonly [string, JsonValue] => e[1] !== undefined));
  }
  // A number wrapper that insists on <real> (e.g. the plist codec's PlistReal).
  const primitive = (value as { valueOf(): unknown }).valueOf();
  return typeof primitive === 'number' && Number.isFinite(primitive) ? primitive : undefined;
}

/**
 * A parsed report plist made JSON-safe for parseCommandResult: data as base64, dates as ISO 8601,
 * 64-bit integers beyond ±2^53 left out. Undefined unless the report is a dictionary.
 */
export function reportToJson(report: unknown): JsonObject | undefined {
  if (typeof report !== 'object' || report === null || Array.isArray(report) || !isDictionary(report)) return undefined;
  return toJson(report, 1) as JsonObject;
}
