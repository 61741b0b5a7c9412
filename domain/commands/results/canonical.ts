import type { JsonValue } from '../../shared/json.js';

/**
 * JSON with object keys sorted at every level (arrays keep their order): equal content always gives
 * the same text, whatever order the device sent its keys in.
 */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
