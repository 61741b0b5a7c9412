/**
 * The property-list value model shared by the XML and binary codecs.
 *
 * Numbers: a `number` that is an integer within the 64-bit range is written as `<integer>`, any
 * other `number` as `<real>`. Apple's schema types some fields `<real>` whose values can be whole
 * (BatteryLevel 1.0, DeviceCapacity 64.0): wrap those in `PlistReal` to force `<real>`.
 * Parsing gives plain `number`s for reals (unless asked to preserve them) and for integers within
 * the safe range; integers beyond ±2^53 come back as `bigint`.
 */
export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | PlistReal
  | PlistValue[]
  | PlistDict;

export interface PlistDict {
  [key: string]: PlistValue;
}

/**
 * What the builders accept: the model, plus `Uint8Array` for data and `undefined` dictionary values,
 * which are left out so optional command fields can be passed as they are.
 */
export type PlistInput =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | PlistReal
  | readonly PlistInput[]
  | { readonly [key: string]: PlistInput | undefined };

/** A number that must be written as `<real>` even when it is whole. */
export class PlistReal {
  constructor(readonly value: number) {
    if (typeof value !== 'number') throw new TypeError('PlistReal needs a number');
  }

  valueOf(): number {
    return this.value;
  }

  /** Read models store plain numbers, not the wrapper. */
  toJSON(): number {
    return this.value;
  }
}

/** A dictionary, as opposed to an array, Date, Buffer or PlistReal (all of which are objects too). */
export function isPlistDict(value: unknown): value is PlistDict {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Apple's names for the plist types, used in error messages. */
export type PlistTypeName = 'string' | 'integer' | 'real' | 'boolean' | 'date' | 'data' | 'array' | 'dict';

export function plistTypeName(value: unknown): PlistTypeName | 'nothing' | 'unsupported' {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return isIntegerNumber(value) ? 'integer' : 'real';
  if (value instanceof PlistReal) return 'real';
  if (value instanceof Date) return 'date';
  if (value instanceof Uint8Array) return 'data';
  if (Array.isArray(value)) return 'array';
  if (isPlistDict(value)) return 'dict';
  return 'unsupported';
}

export const INTEGER_MIN = -(2n ** 63n);
/** Apple's CF and Python write unsigned 64-bit values above INT64_MAX as 16-byte integers. */
export const INTEGER_MAX = 2n ** 64n - 1n;

/** True for numbers written as `<integer>`: whole and inside the 64-bit range. */
export function isIntegerNumber(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 64;
}

export function isIntegerInRange(value: bigint): boolean {
  return value >= INTEGER_MIN && value <= INTEGER_MAX;
}

/** Parsed integers: a number when it is exact, a bigint otherwise. */
export function integerValue(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Sets a key without `__proto__` reaching the prototype setter. */
export function setDictEntry(dict: PlistDict, key: string, value: PlistValue): void {
  if (key === '__proto__') {
    Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    dict[key] = value;
  }
}
