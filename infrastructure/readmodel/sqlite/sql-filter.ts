import type { FieldCondition, FieldOperators, Filter, Scalar } from '../../../application/ports/document-store.js';

/**
 * Port filters as SQL over a JSON `doc` column. Paths were validated (/^[A-Za-z0-9_-]+$/ segments)
 * and are embedded as quoted JSON-path literals, because an expression index only serves a query
 * whose expression is textually the same; every value is a bound parameter.
 *
 * json_extract gives SQL NULL for a missing field (and a stored JSON null), 1/0 for true/false and
 * JSON text for arrays and objects, so the port's type rules need `json_type` guards where a value
 * is ambiguous: booleans (1/0), the numbers 0 and 1, and strings that could be an array's or an
 * object's JSON text (starting with `[` or `{`). Everywhere else the guard is left out, because it
 * reads the document: without it a filter is answered from the index alone. Range bounds add a
 * second, index-friendly bound: in SQLite's order every number sorts before every text, so
 * `< ''` keeps a range among numbers and `>= ''` among strings.
 */

export type SqlValue = string | number | null;

export interface SqlFragment {
  readonly sql: string;
  readonly params: SqlValue[];
}

export const jsonPath = (path: string): string => `$${path.split('.').map((segment) => `."${segment}"`).join('')}`;
/** The expression filters, sorts and indexes all use for a path. */
export const valueSql = (path: string): string => `json_extract(doc, '${jsonPath(path)}')`;
export const typeSql = (path: string): string => `json_type(doc, '${jsonPath(path)}')`;

const NUMBER_TYPES = `IN ('integer', 'real')`;

/** Booleans reach SQL as 1/0 (what json_extract yields for true/false). */
export const bindable = (value: Scalar): SqlValue => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/** A string json_extract could also return for an array or an object. */
const looksLikeJson = (s: string): boolean => s.startsWith('[') || s.startsWith('{');
/** A number json_extract also returns for a boolean. */
const looksLikeBoolean = (n: number): boolean => n === 0 || n === 1;

const stringGuard = (path: string, needed: boolean): string => (needed ? ` AND ${typeSql(path)} = 'text'` : '');
const numberGuard = (path: string, needed: boolean): string => (needed ? ` AND ${typeSql(path)} ${NUMBER_TYPES}` : '');

function equals(path: string, value: Scalar, params: SqlValue[]): string {
  const x = valueSql(path);
  if (value === null) return `${x} IS NULL`;
  if (typeof value === 'boolean') return `(${x} = ${value ? 1 : 0} AND ${typeSql(path)} = '${value ? 'true' : 'false'}')`;
  params.push(value);
  return typeof value === 'string'
    ? `(${x} = ?${stringGuard(path, looksLikeJson(value))})`
    : `(${x} = ?${numberGuard(path, looksLikeBoolean(value))})`;
}

function inList(path: string, values: readonly Scalar[], params: SqlValue[]): string {
  const x = valueSql(path);
  const strings = values.filter((v): v is string => typeof v === 'string');
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const parts: string[] = [];
  if (values.includes(null)) parts.push(`${x} IS NULL`);
  if (strings.length > 0) {
    params.push(...strings);
    parts.push(`(${x} IN (${strings.map(() => '?').join(', ')})${stringGuard(path, strings.some(looksLikeJson))})`);
  }
  if (numbers.length > 0) {
    params.push(...numbers);
    parts.push(`(${x} IN (${numbers.map(() => '?').join(', ')})${numberGuard(path, numbers.some(looksLikeBoolean))})`);
  }
  for (const b of [true, false]) if (values.includes(b)) parts.push(equals(path, b, params));
  return parts.length === 0 ? '0' : parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

const RANGE_SQL = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;

/** Whether `x op bound` could hold for 1 or 0 (a boolean), or for text starting with `[` or `{`. */
function rangeIsAmbiguous(op: keyof typeof RANGE_SQL, bound: string | number): boolean {
  if (typeof bound === 'number') {
    switch (op) {
      case '$gt': return bound < 1;
      case '$gte': return bound <= 1;
      case '$lt': return bound > 0;
      case '$lte': return bound >= 0;
    }
  }
  // Strings from '[' upwards include the JSON text of arrays ('[...') and objects ('{...').
  switch (op) {
    case '$gt': case '$gte': return bound < '|';
    case '$lt': return bound > '[';
    case '$lte': return bound >= '[';
  }
}

function range(path: string, op: keyof typeof RANGE_SQL, bound: string | number, params: SqlValue[]): string {
  const x = valueSql(path);
  params.push(bound);
  const guarded = rangeIsAmbiguous(op, bound);
  return typeof bound === 'number'
    ? `(${x} ${RANGE_SQL[op]} ? AND ${x} < ''${numberGuard(path, guarded)})`
    : `(${x} ${RANGE_SQL[op]} ? AND ${x} >= ''${stringGuard(path, guarded)})`;
}

/** A negation that also matches a missing field: the inner condition is never NULL after coalesce. */
const not = (sql: string): string => `NOT coalesce(${sql}, 0)`;

function fieldSql(path: string, condition: FieldCondition, params: SqlValue[]): string {
  if (condition === null || typeof condition !== 'object') return equals(path, condition, params);
  const parts: string[] = [];
  for (const [op, operand] of Object.entries(condition as FieldOperators)) {
    switch (op) {
      case '$eq': parts.push(equals(path, operand as Scalar, params)); break;
      case '$ne': parts.push(not(equals(path, operand as Scalar, params))); break;
      case '$in': parts.push(inList(path, operand as Scalar[], params)); break;
      case '$nin': parts.push(not(inList(path, operand as Scalar[], params))); break;
      case '$gt': case '$gte': case '$lt': case '$lte': parts.push(range(path, op, operand as string | number, params)); break;
      case '$exists': parts.push(`${typeSql(path)} IS ${operand ? 'NOT NULL' : 'NULL'}`); break;
      case '$contains':
        params.push(operand as string);
        parts.push(`(${typeSql(path)} = 'text' AND instr(${valueSql(path)}, ?) > 0)`);
        break;
      default: throw new Error(`unvalidated operator ${op}`);
    }
  }
  return parts.join(' AND ');
}

function filterSql(filter: Filter, params: SqlValue[]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const subs = (value as readonly Filter[]).map((sub) => `(${filterSql(sub, params)})`);
      parts.push(`(${subs.join(key === '$and' ? ' AND ' : ' OR ')})`);
    } else {
      parts.push(fieldSql(key, value as FieldCondition, params));
    }
  }
  return parts.length === 0 ? '1' : parts.join(' AND ');
}

/** A validated filter as a WHERE condition (`1` for no filter). */
export function whereSql(filter: Filter | undefined): SqlFragment {
  const params: SqlValue[] = [];
  return { sql: filter ? filterSql(filter, params) : '1', params };
}
