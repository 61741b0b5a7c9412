import type { IndexDescription } from 'mongodb';
import type { IndexDeclaration } from '../../../application/ports/document-store.js';
import { recordPath } from './stored-record.js';

/**
 * A projection's declared indexes as MongoDB index specs. Each ends with the id ascending: every
 * sort ends with it as the tie-breaker, so a query sorted the way the index is declared is answered
 * in index order instead of by an in-memory sort.
 */
export function indexSpecs(indexes: readonly IndexDeclaration[]): IndexDescription[] {
  return indexes.map((index) => {
    const key: Record<string, 1 | -1> = {};
    for (const field of index.fields) key[recordPath(field.path)] = field.direction === 'asc' ? 1 : -1;
    key._id = 1;
    return { name: index.name, key };
  });
}

export interface ExistingIndex {
  readonly name: string;
  readonly key: Record<string, unknown>;
}

/**
 * Existing indexes that stand in the way of the wanted ones: same name with another key, or same
 * key under another name (MongoDB refuses both). They are dropped and created as now declared.
 * MongoDB's own `_id_` index is never touched, nor are indexes no longer declared.
 */
export function conflictingIndexes(existing: readonly ExistingIndex[], wanted: readonly IndexDescription[]): string[] {
  const keyText = (key: unknown): string => JSON.stringify(Object.entries(key as Record<string, unknown>).map(([k, v]) => [k, Number(v)]));
  return existing
    .filter((index) => index.name !== '_id_')
    .filter((index) => wanted.some((w) => (w.name === index.name) !== (keyText(w.key) === keyText(index.key))))
    .map((index) => index.name);
}
