import type { DocumentQuery, Scalar, SortKey } from '../../../application/ports/document-store.js';
import type { DecodedCursor } from '../cursor.js';
import type { DocumentStorage } from './schema.js';
import { bindable, jsonPath, valueSql, whereSql, type SqlValue } from './sql-filter.js';

/**
 * One page of a find as a single SELECT: filter, keyset continuation, order, limit + 1 (the extra
 * row says whether a next page exists). The sort values are selected too, so the next cursor holds
 * exactly what SQLite ordered by.
 */

export interface FindSql {
  readonly sql: string;
  readonly params: SqlValue[];
}

export const documentSql = (storage: DocumentStorage): string => (storage === 'jsonb' ? 'json(doc)' : 'doc');

/**
 * Rows strictly after the cursor in the order (k1 d1, ..., kn dn, id asc), with a missing value
 * (NULL) first when ascending and last when descending, as SQLite and MongoDB both order them.
 */
function afterCursorSql(sort: readonly SortKey[], cursor: DecodedCursor, params: SqlValue[]): string {
  const disjuncts: string[] = [];
  const prefix: string[] = [];
  const prefixParams: SqlValue[] = [];
  sort.forEach((key, i) => {
    const x = valueSql(key.path);
    const v = bindable(cursor.values[i] as Scalar);
    let after: string | undefined;
    const afterParams: SqlValue[] = [];
    if (key.direction === 'asc') {
      if (v === null) after = `${x} IS NOT NULL`;
      else { after = `${x} > ?`; afterParams.push(v); }
    } else if (v !== null) {
      after = `(${x} < ? OR ${x} IS NULL)`;
      afterParams.push(v);
    }
    if (after !== undefined) {
      disjuncts.push(`(${[...prefix, after].join(' AND ')})`);
      params.push(...prefixParams, ...afterParams);
    }
    prefix.push(`${x} IS ?`);
    prefixParams.push(v);
  });
  disjuncts.push(`(${[...prefix, 'id > ?'].join(' AND ')})`);
  params.push(...prefixParams, cursor.id);
  const first = sort[0];
  const lead = first && first.direction === 'asc' && cursor.values[0] !== null && cursor.values[0] !== undefined;
  // A plain bound on the first key lets SQLite start the index range there instead of at the top.
  if (lead) {
    params.unshift(bindable(cursor.values[0]!));
    return `${valueSql(first.path)} >= ? AND (${disjuncts.join(' OR ')})`;
  }
  return `(${disjuncts.join(' OR ')})`;
}

export function findSql(table: string, query: DocumentQuery, cursor: DecodedCursor | undefined, storage: DocumentStorage): FindSql {
  const sort = query.sort ?? [];
  const where = whereSql(query.filter);
  const params = [...where.params];
  const conditions = [where.sql];
  if (cursor) {
    const cursorParams: SqlValue[] = [];
    conditions.push(afterCursorSql(sort, cursor, cursorParams));
    params.push(...cursorParams);
  }
  const columns = ['id', 'position'];
  if (query.fields) query.fields.forEach((f, i) => columns.push(`doc -> '${jsonPath(f)}' AS f${i}`));
  else columns.push(`${documentSql(storage)} AS doc`);
  sort.forEach((key, i) => columns.push(`${valueSql(key.path)} AS s${i}`));
  const order = [...sort.map((key) => `${valueSql(key.path)} ${key.direction === 'desc' ? 'DESC' : 'ASC'}`), 'id ASC'];
  params.push(query.limit + 1);
  return {
    sql: `SELECT ${columns.join(', ')} FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ?`,
    params,
  };
}
