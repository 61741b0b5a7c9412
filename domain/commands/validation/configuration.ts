import type { JsonObject, JsonValue } from '../../shared/json.js';
import { COMMAND_LIMITS } from '../limits.js';
import { invalid } from './invalid.js';
import { isPlainObject } from './read.js';
import { isPlistText } from './text.js';

/**
 * A managed app configuration: a free-form dictionary, checked only for what a property list can
 * carry (no null, finite numbers, plist-safe text) and for size, then copied.
 */
export function readConfiguration(value: unknown, path: string): JsonObject {
  let nodes = 0;
  let bytes = 0;
  const copy = (v: unknown, at: string, depth: number): JsonValue => {
    if (++nodes > 10_000) invalid(path, 'has too many values');
    if (depth > COMMAND_LIMITS.configurationDepth) invalid(path, `nests deeper than ${COMMAND_LIMITS.configurationDepth} levels`);
    switch (typeof v) {
      case 'string':
        if (!isPlistText(v, true)) invalid(at, 'contains control characters');
        bytes += v.length;
        return v;
      case 'number':
        if (!Number.isFinite(v)) invalid(at, 'must be a finite number');
        return v;
      case 'boolean':
        return v;
      default:
        break;
    }
    if (Array.isArray(v)) return v.map((item, i) => copy(item, `${at}[${i}]`, depth + 1));
    if (isPlainObject(v)) {
      return Object.fromEntries(Object.entries(v).map(([key, item]) => {
        if (key.length === 0 || key.length > COMMAND_LIMITS.identifierLength || !isPlistText(key)) invalid(at, 'has a key that is empty, too long or holds control characters');
        bytes += key.length;
        return [key, copy(item, `${at}.${key}`, depth + 1)];
      }));
    }
    return invalid(at, v === null ? 'must not be null (property lists have no null)' : 'must be a string, number, boolean, array or object');
  };
  if (!isPlainObject(value)) invalid(path, 'must be an object');
  const result = copy(value, path, 1) as JsonObject;
  if (bytes > COMMAND_LIMITS.configurationBytes) invalid(path, `must be at most ${COMMAND_LIMITS.configurationBytes} bytes of text`);
  return result;
}
