import { PlistReal, type PlistValue } from '../../infrastructure/plist/plist-value.js';
import type { Tagged } from './python-plistlib.js';

/** Our model in the same tagged form python-plistlib.ts produces, for exact comparison. */
export function tagModel(value: PlistValue): Tagged {
  if (typeof value === 'string') return { str: value };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'bigint') return { int: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: String(value) } : { real: doubleHex(value) };
  if (value instanceof PlistReal) return { real: doubleHex(value.value) };
  if (value instanceof Date) return { date: value.toISOString() };
  if (Buffer.isBuffer(value)) return { data: value.toString('base64') };
  if (Array.isArray(value)) return { array: value.map(tagModel) };
  return { dict: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagModel(v)])) };
}

function doubleHex(value: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value);
  return bytes.toString('hex');
}
