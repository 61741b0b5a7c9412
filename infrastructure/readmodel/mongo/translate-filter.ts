import type { Document } from 'mongodb';
import { InvalidQueryError, type FieldCondition, type Filter } from '../../../application/ports/document-store.js';
import { recordPath } from './stored-record.js';

/**
 * Our filter language as a MongoDB filter over the record's `d.` paths. The language is a subset of
 * MongoDB's, chosen so that MongoDB's own rules give the port's meaning: `null` and `$ne`/`$nin`
 * match a missing field, and range operators only compare values of the operand's type (type
 * bracketing), so each operator maps onto itself. The filter is validated before it gets here.
 */
export function translateFilter(filter: Filter): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      out[key] = (value as readonly Filter[]).map(translateFilter);
      continue;
    }
    if (key.startsWith('$')) throw new InvalidQueryError(`unknown filter operator ${key}`);
    out[recordPath(key)] = translateCondition(value as FieldCondition);
  }
  return out;
}

const FIELD_OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$contains']);

/** `$contains` as MongoDB says it: a regular expression that matches the text literally (strings only). */
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function translateCondition(condition: FieldCondition): unknown {
  if (condition === null || typeof condition !== 'object') return condition;
  const out: Document = {};
  for (const [operator, operand] of Object.entries(condition)) {
    if (operand === undefined) continue;
    if (!FIELD_OPERATORS.has(operator)) throw new InvalidQueryError(`unknown field operator ${operator}`);
    if (operator === '$contains') {
      out['$regex'] = literally(operand as string);
      continue;
    }
    out[operator] = Array.isArray(operand) ? [...operand] : operand;
  }
  return out;
}
