import type { JsonObject, JsonValue } from '../../../domain/shared/json.js';

/**
 * Rebuilds the nested shape of the selected paths from the JSON text SQLite returned for each
 * (`doc -> path`, NULL when missing): `['a.b', 'c']` gives `{a: {b: ...}, c: ...}`.
 */
/** An own property even for a field named `__proto__`, as JSON.parse would make it. */
function define(target: Record<string, JsonValue>, key: string, value: JsonValue): JsonValue {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

export function selectedDocument(fields: readonly string[], values: readonly (string | null)[]): JsonObject {
  const doc: Record<string, JsonValue> = {};
  fields.forEach((path, i) => {
    const text = values[i];
    if (text === null || text === undefined) return;
    const segments = path.split('.');
    let target = doc;
    for (const segment of segments.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(target, segment) ? target[segment] : undefined;
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) target = next as Record<string, JsonValue>;
      else target = define(target, segment, {}) as Record<string, JsonValue>;
    }
    define(target, segments[segments.length - 1]!, JSON.parse(text) as JsonValue);
  });
  return doc;
}
