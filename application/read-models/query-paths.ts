import { InvalidQueryError, type Filter, type SortKey } from '../ports/document-store.js';

/**
 * Queries may filter and sort only on the fields a read model documents: a typo becomes a clear
 * 400, not an empty answer, and nobody probes fields that were never meant to be queried.
 */
export function checkPaths(readModel: string, allowed: ReadonlySet<string>, filter: Filter | undefined, sort: readonly SortKey[] | undefined, fields: readonly string[] | undefined): void {
  const refuse = (path: string, what: string) => {
    throw new InvalidQueryError(`${readModel}: cannot ${what} ${JSON.stringify(path)}; allowed: ${[...allowed].sort().join(', ')}`);
  };
  const walk = (f: Filter) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value)) throw new InvalidQueryError(`${key} takes a list of filters`);
        (value as Filter[]).forEach(walk);
      } else if (!allowed.has(key)) refuse(key, 'filter on');
    }
  };
  if (filter) walk(filter);
  for (const key of sort ?? []) if (!allowed.has(key.path)) refuse(key.path, 'sort by');
  for (const path of fields ?? []) if (!allowed.has(path.split('.')[0]!)) refuse(path, 'return');
}
