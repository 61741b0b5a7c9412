import { PlistShapeError } from './plist-errors.js';
import { isPlistDict, plistTypeName, PlistReal, type PlistDict, type PlistValue } from './plist-value.js';

/**
 * Typed reads from untrusted dictionaries. Each throws PlistShapeError naming the key and the
 * expected type (never the value); the `getOptional*` forms return undefined only when the key is
 * absent, and still throw when it is present with the wrong type. Only own keys count, so a key
 * such as "constructor" is never read from Object.prototype.
 */

export function asDict(value: unknown, name = 'property list'): PlistDict {
  if (!isPlistDict(value)) throw new PlistShapeError(name, 'a dict', plistTypeName(value));
  return value;
}

export function asArray(value: unknown, name = 'property list'): PlistValue[] {
  if (!Array.isArray(value)) throw new PlistShapeError(name, 'an array', plistTypeName(value));
  return value as PlistValue[];
}

export function hasKey(dict: PlistDict, key: string): boolean {
  return Object.hasOwn(dict, key);
}

function entry(dict: PlistDict, key: string): PlistValue | undefined {
  return Object.hasOwn(dict, key) ? dict[key] : undefined;
}

type Reader<T> = (value: PlistValue | undefined) => T | undefined;

function required<T>(read: Reader<T>, expected: string) {
  return (dict: PlistDict, key: string): T => {
    const value = entry(dict, key);
    const result = read(value);
    if (result === undefined) throw new PlistShapeError(key, expected, plistTypeName(value));
    return result;
  };
}

function optional<T>(read: Reader<T>, expected: string) {
  return (dict: PlistDict, key: string): T | undefined => {
    const value = entry(dict, key);
    if (value === undefined) return undefined;
    const result = read(value);
    if (result === undefined) throw new PlistShapeError(key, expected, plistTypeName(value));
    return result;
  };
}

const readString: Reader<string> = (v) => (typeof v === 'string' ? v : undefined);
const readBool: Reader<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);
const readData: Reader<Buffer> = (v) => (Buffer.isBuffer(v) ? v : undefined);
const readDate: Reader<Date> = (v) => (v instanceof Date ? v : undefined);
const readDict: Reader<PlistDict> = (v) => (isPlistDict(v) ? v : undefined);
const readArray: Reader<PlistValue[]> = (v) => (Array.isArray(v) ? v : undefined);
// Integers past 2^53 arrive as bigint; callers wanting those read the raw value.
const readInteger: Reader<number> = (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const readNumber: Reader<number> = (v) => {
  if (typeof v === 'number') return v;
  if (v instanceof PlistReal) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
};
const readStringArray: Reader<string[]> = (v) =>
  Array.isArray(v) && v.every((item) => typeof item === 'string') ? (v as string[]) : undefined;

export const getString = required(readString, 'a string');
export const getOptionalString = optional(readString, 'a string');
export const getBool = required(readBool, 'a boolean');
export const getOptionalBool = optional(readBool, 'a boolean');
export const getData = required(readData, 'data');
export const getOptionalData = optional(readData, 'data');
export const getDate = required(readDate, 'a date');
export const getOptionalDate = optional(readDate, 'a date');
/** A whole number within ±2^53: an `<integer>`, or a `<real>` with a whole value read without `preserveReals`. */
export const getInteger = required(readInteger, 'an integer');
export const getOptionalInteger = optional(readInteger, 'an integer');
/** Any `<integer>` or `<real>`, as Apple's `<real>` fields (BatteryLevel, DeviceCapacity) need. */
export const getNumber = required(readNumber, 'a number');
export const getOptionalNumber = optional(readNumber, 'a number');
export const getDict = required(readDict, 'a dict');
export const getOptionalDict = optional(readDict, 'a dict');
export const getArray = required(readArray, 'an array');
export const getOptionalArray = optional(readArray, 'an array');
export const getStringArray = required(readStringArray, 'an array of strings');
export const getOptionalStringArray = optional(readStringArray, 'an array of strings');
