import {
  InvalidQueryError,
  type DocumentQuery,
  type Filter,
  type IndexDeclaration,
  type Scalar,
  type SortKey,
} from '../../application/ports/document-store.js';

/**
 * Checks every part of a read-model query before any adapter builds database work from it, so that
 * both adapters refuse the same things with the same InvalidQueryError. Paths pass this check
 * before an adapter embeds them in a query; values are never embedded.
 */

export const MAX_PATH_DEPTH = 16;
export const MAX_PATH_LENGTH = 512;
export const MAX_FILTER_DEPTH = 16;
export const MAX_IN_VALUES = 1000;
/** All operands of one filter together: keeps a filter within any database's parameter limits. */
export const MAX_FILTER_OPERANDS = 5000;
export const MAX_LIST_ENTRIES = 100;
export const MAX_SORT_KEYS = 8;
export const MAX_FIELDS = 100;
export const MIN_LIMIT = 1;
export const MAX_LIMIT = 1000;
export const MAX_CURSOR_LENGTH = 8192;
export const MAX_INDEX_FIELDS = 8;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const INDEX_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export const SCALAR_OPERATORS = ['$eq', '$ne'] as const;
export const LIST_OPERATORS = ['$in', '$nin'] as const;
export const RANGE_OPERATORS = ['$gt', '$gte', '$lt', '$lte'] as const;
const FIELD_OPERATORS: ReadonlySet<string> = new Set([...SCALAR_OPERATORS, ...LIST_OPERATORS, ...RANGE_OPERATORS, '$exists', '$contains']);

const describe = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

export const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** A dotted path of field names, each /^[A-Za-z0-9_-]+$/, at most 16 deep. */
export function validatePath(path: unknown, where = 'path'): asserts path is string {
  if (typeof path !== 'string') throw new InvalidQueryError(`${where}: expected a dotted path string, got ${describe(path)}`);
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) throw new InvalidQueryError(`${where}: a path has 1 to ${MAX_PATH_LENGTH} characters, got ${path.length}`);
  const segments = path.split('.');
  if (segments.length > MAX_PATH_DEPTH) throw new InvalidQueryError(`${where} ${describe(path)}: at most ${MAX_PATH_DEPTH} segments`);
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) throw new InvalidQueryError(`${where} ${describe(path)}: segment ${describe(segment)} must match /^[A-Za-z0-9_-]+$/`);
  }
}

/** Read-model collection names: they become table names, so the alphabet is narrow. */
export function validateCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
    throw new InvalidQueryError(`collection name ${describe(name)} must match /^[a-z][a-z0-9_-]{0,62}$/`);
  }
}

export function validateIndexDeclaration(index: unknown): asserts index is IndexDeclaration {
  if (!isPlainObject(index)) throw new InvalidQueryError(`index declaration: expected an object, got ${describe(index)}`);
  if (typeof index.name !== 'string' || !INDEX_NAME.test(index.name)) {
    throw new InvalidQueryError(`index name ${describe(index.name)} must match /^[A-Za-z][A-Za-z0-9_-]{0,62}$/`);
  }
  validateSortKeys(index.fields, `index ${index.name}`, MAX_INDEX_FIELDS);
  if ((index.fields as unknown[]).length === 0) throw new InvalidQueryError(`index ${index.name}: at least one field`);
}

export function validateScalar(value: unknown, where: string): asserts value is Scalar {
  if (!isScalar(value)) throw new InvalidQueryError(`${where}: expected a string, finite number, boolean or null, got ${describe(value)}`);
}

interface Budget {
  operands: number;
}

const spend = (budget: Budget, n: number): void => {
  budget.operands += n;
  if (budget.operands > MAX_FILTER_OPERANDS) throw new InvalidQueryError(`filter: more than ${MAX_FILTER_OPERANDS} operands in all`);
};

function validateFieldCondition(path: string, condition: unknown, budget: Budget): void {
  if (isScalar(condition)) {
    spend(budget, 1);
    return;
  }
  if (!isPlainObject(condition)) throw new InvalidQueryError(`filter ${path}: expected a scalar or an operator object, got ${describe(condition)}`);
  const operators = Object.keys(condition);
  if (operators.length === 0) throw new InvalidQueryError(`filter ${path}: empty operator object`);
  for (const op of operators) {
    const where = `filter ${path}.${op}`;
    if (!FIELD_OPERATORS.has(op)) {
      throw new InvalidQueryError(op.startsWith('$') ? `filter ${path}: unknown operator ${describe(op)}` : `filter ${path}: sub-document ${describe(op)} is not a condition (use a dotted path)`);
    }
    const operand = condition[op];
    switch (op) {
      case '$eq':
      case '$ne':
        validateScalar(operand, where);
        spend(budget, 1);
        break;
      case '$in':
      case '$nin':
        if (!Array.isArray(operand)) throw new InvalidQueryError(`${where}: expected an array of scalars, got ${describe(operand)}`);
        if (operand.length > MAX_IN_VALUES) throw new InvalidQueryError(`${where}: at most ${MAX_IN_VALUES} values, got ${operand.length}`);
        operand.forEach((v, i) => validateScalar(v, `${where}[${i}]`));
        spend(budget, operand.length);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (!(typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand)))) {
          throw new InvalidQueryError(`${where}: expected a string or a finite number, got ${describe(operand)}`);
        }
        spend(budget, 1);
        break;
      case '$exists':
        if (typeof operand !== 'boolean') throw new InvalidQueryError(`${where}: expected true or false, got ${describe(operand)}`);
        break;
      case '$contains':
        if (typeof operand !== 'string' || operand.length === 0 || operand.length > 256) throw new InvalidQueryError(`${where}: expected a string of 1 to 256 characters, got ${describe(operand)}`);
        spend(budget, 1);
        break;
    }
  }
}

function validateFilterAt(filter: unknown, depth: number, where: string, budget: Budget): void {
  if (depth > MAX_FILTER_DEPTH) throw new InvalidQueryError(`${where}: filters nest at most ${MAX_FILTER_DEPTH} deep`);
  if (!isPlainObject(filter)) throw new InvalidQueryError(`${where}: expected an object, got ${describe(filter)}`);
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw new InvalidQueryError(`${where}.${key}: expected a non-empty array of filters`);
      if (value.length > MAX_LIST_ENTRIES) throw new InvalidQueryError(`${where}.${key}: at most ${MAX_LIST_ENTRIES} filters, got ${value.length}`);
      value.forEach((sub, i) => validateFilterAt(sub, depth + 1, `${where}.${key}[${i}]`, budget));
      continue;
    }
    if (key.startsWith('$')) throw new InvalidQueryError(`${where}: unknown operator ${describe(key)}`);
    validatePath(key, `${where} path`);
    validateFieldCondition(key, value, budget);
  }
}

/** The filter language of the DocumentStore port, and nothing else. */
export function validateFilter(filter: unknown): asserts filter is Filter {
  validateFilterAt(filter, 1, 'filter', { operands: 0 });
}

function validateSortKeys(sort: unknown, where: string, max: number): asserts sort is readonly SortKey[] {
  if (!Array.isArray(sort)) throw new InvalidQueryError(`${where}: sort keys must be an array, got ${describe(sort)}`);
  if (sort.length > max) throw new InvalidQueryError(`${where}: at most ${max} sort keys, got ${sort.length}`);
  const seen = new Set<string>();
  sort.forEach((key: unknown, i) => {
    if (!isPlainObject(key)) throw new InvalidQueryError(`${where}[${i}]: expected {path, direction}, got ${describe(key)}`);
    validatePath(key.path, `${where}[${i}].path`);
    if (key.direction !== 'asc' && key.direction !== 'desc') throw new InvalidQueryError(`${where}[${i}].direction: expected 'asc' or 'desc', got ${describe(key.direction)}`);
    if (seen.has(key.path)) throw new InvalidQueryError(`${where}: path ${describe(key.path)} appears twice`);
    seen.add(key.path);
  });
}

/** Fields to return: valid paths, none repeated and none inside another (`a` with `a.b`). */
export function validateFields(fields: unknown): asserts fields is readonly string[] {
  if (!Array.isArray(fields)) throw new InvalidQueryError(`fields: expected an array of paths, got ${describe(fields)}`);
  if (fields.length === 0 || fields.length > MAX_FIELDS) throw new InvalidQueryError(`fields: 1 to ${MAX_FIELDS} paths (omit fields for whole documents), got ${fields.length}`);
  fields.forEach((f, i) => validatePath(f, `fields[${i}]`));
  const sorted = [...(fields as string[])].sort();
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur === prev || cur.startsWith(`${prev}.`)) throw new InvalidQueryError(`fields: ${describe(cur)} collides with ${describe(prev)}`);
  }
}

export function validateLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < MIN_LIMIT || limit > MAX_LIMIT) {
    throw new InvalidQueryError(`limit: expected an integer from ${MIN_LIMIT} to ${MAX_LIMIT}, got ${describe(limit)}`);
  }
}

const QUERY_KEYS: ReadonlySet<string> = new Set(['filter', 'sort', 'limit', 'cursor', 'fields']);

/** A whole find query; the cursor's content is checked by decodeCursor, its form here. */
export function validateQuery(query: unknown): asserts query is DocumentQuery {
  if (!isPlainObject(query)) throw new InvalidQueryError(`query: expected an object, got ${describe(query)}`);
  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key)) throw new InvalidQueryError(`query: unknown key ${describe(key)}`);
  }
  if (query.filter !== undefined) validateFilter(query.filter);
  if (query.sort !== undefined) validateSortKeys(query.sort, 'sort', MAX_SORT_KEYS);
  validateLimit(query.limit);
  if (query.fields !== undefined) validateFields(query.fields);
  if (query.cursor !== undefined) validateCursorForm(query.cursor);
}

export function validateCursorForm(cursor: unknown): asserts cursor is string {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidQueryError(`cursor: not a cursor this store issued`);
  }
}

/** A document id as reads and writes take it. */
export function validateId(id: unknown, where = 'id'): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 1024) throw new InvalidQueryError(`${where}: expected a string of 1 to 1024 characters, got ${describe(id)}`);
}
