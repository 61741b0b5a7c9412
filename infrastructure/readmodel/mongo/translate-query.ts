import type { Document } from 'mongodb';
import type { JsonObject, JsonValue } from '../../../domain/shared/json.js';
import type { Filter, Scalar, SortKey } from '../../../application/ports/document-store.js';
import { LIVE, recordPath } from './stored-record.js';
import { translateFilter } from './translate-filter.js';

/** Where the previous page ended: its last document's sort values (null: missing) and id. */
export interface PageEnd {
  readonly values: readonly Scalar[];
  readonly id: string;
}

/** The MongoDB sort: the declared keys, then the id ascending so that pages are stable. */
export function translateSort(sort: readonly SortKey[]): Document {
  const out: Document = {};
  for (const key of sort) out[recordPath(key.path)] = key.direction === 'asc' ? 1 : -1;
  out._id = 1;
  return out;
}

/**
 * The documents that come after `end` in the sort order (keyset pagination): for each key k, the
 * keys before it equal and k itself past its value, or every key equal and a greater id.
 *
 * MongoDB sorts a missing field (like null) below every value. So ascending, "past a missing value"
 * is "present", and descending, past a present value come the smaller ones and then the missing
 * ones, while nothing comes after a missing value. Equality on null matches a missing field.
 */
export function afterPageEnd(sort: readonly SortKey[], end: PageEnd): Document {
  if (end.values.length !== sort.length) throw new RangeError(`page end holds ${end.values.length} sort values for ${sort.length} sort keys`);
  const branches: Document[] = [];
  const equalSoFar: Document = {};
  sort.forEach((key, i) => {
    const path = recordPath(key.path);
    const value = end.values[i] ?? null;
    const past = pastValue(path, key.direction, value);
    if (past) branches.push({ ...equalSoFar, ...past });
    equalSoFar[path] = value;
  });
  branches.push({ ...equalSoFar, _id: { $gt: end.id } });
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

function pastValue(path: string, direction: SortKey['direction'], value: Scalar): Document | undefined {
  if (direction === 'asc') return value === null ? { [path]: { $ne: null } } : { [path]: { $gt: value } };
  if (value === null) return undefined;
  return { $or: [{ [path]: { $lt: value } }, { [path]: null }] };
}

/** The filter of a read: live documents matching the caller's filter, past the previous page. */
export function readFilter(filter: Filter | undefined, after?: Document): Document {
  const matching = { ...LIVE, ...(filter ? translateFilter(filter) : {}) };
  return after ? { $and: [matching, after] } : matching;
}

/**
 * The projection fetching the requested fields and the sort fields (the next page's cursor is made
 * from them). MongoDB refuses a path together with one of its own sub-paths, so only the shortest
 * of nested paths is kept; the result is cut down to the requested fields by pickFields.
 */
export function translateProjection(fields: readonly string[], sort: readonly SortKey[]): Document {
  const out: Document = { _id: 1, _position: 1 };
  for (const path of outermostPaths([...fields, ...sort.map((k) => k.path)]).sort()) out[recordPath(path)] = 1;
  return out;
}

/** The paths without those already inside another one (`a.b` goes when `a` is there), once each. */
function outermostPaths(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((other) => p.startsWith(`${other}.`)));
}

/** The requested paths of a document, nested as in the document; missing ones are left out. */
export function pickFields(doc: JsonObject, fields: readonly string[]): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const field of outermostPaths(fields)) {
    const names = field.split('.');
    const value = valueAt(doc, names);
    if (value === undefined) continue;
    let target = out;
    for (const name of names.slice(0, -1)) {
      target[name] ??= {};
      target = target[name] as Record<string, JsonValue>;
    }
    target[names[names.length - 1]!] = value;
  }
  return out;
}

function valueAt(doc: JsonObject, names: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const name of names) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as JsonObject)[name];
  }
  return current;
}

/** How many live matching documents hold each value at `path`; a missing field groups under null. */
export function countByPipeline(path: string, filter: Filter | undefined): Document[] {
  return [{ $match: readFilter(filter) }, { $group: { _id: `$${recordPath(path)}`, count: { $sum: 1 } } }];
}

export function toCounts(groups: readonly Document[]): Map<Scalar, number> {
  const counts = new Map<Scalar, number>();
  for (const group of groups) {
    const key = group._id === undefined ? null : (group._id as Scalar);
    counts.set(key, (counts.get(key) ?? 0) + Number(group.count));
  }
  return counts;
}
