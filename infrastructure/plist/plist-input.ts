import { PlistBuildError } from './plist-errors.js';
import { isIntegerInRange, isIntegerNumber, isPlistDict, PlistReal, type PlistInput } from './plist-value.js';

/** One builder input value, checked and sorted into the plist type it is written as. */
export type ClassifiedInput =
  | { type: 'string'; value: string }
  | { type: 'integer'; value: bigint }
  | { type: 'real'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'date'; value: Date }
  | { type: 'data'; value: Uint8Array }
  | { type: 'array'; value: readonly PlistInput[] }
  | { type: 'dict'; value: object; entries: [string, PlistInput][] };

/** Deep enough for any MDM payload, shallow enough that a builder never exhausts the stack. */
export const MAX_BUILD_DEPTH = 512;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function classifyInput(value: unknown, where: string): ClassifiedInput {
  switch (typeof value) {
    case 'string':
      return { type: 'string', value: checkedString(value, where) };
    case 'boolean':
      return { type: 'boolean', value };
    case 'bigint':
      if (!isIntegerInRange(value)) throw new PlistBuildError(`integer at ${where} is outside the 64-bit range`);
      return { type: 'integer', value };
    case 'number':
      if (isIntegerNumber(value)) return { type: 'integer', value: BigInt(value) };
      return { type: 'real', value };
    case 'object':
      return classifyObject(value, where);
    default:
      throw new PlistBuildError(`${typeof value} at ${where} is not a property list value`);
  }
}

function classifyObject(value: object | null, where: string): ClassifiedInput {
  if (value === null) throw new PlistBuildError(`null at ${where} is not a property list value`);
  if (value instanceof PlistReal) return { type: 'real', value: value.value };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new PlistBuildError(`invalid date at ${where}`);
    return { type: 'date', value };
  }
  if (value instanceof Uint8Array) return { type: 'data', value };
  if (Array.isArray(value)) return { type: 'array', value };
  if (isPlistDict(value)) {
    const entries: [string, PlistInput][] = [];
    for (const [key, entry] of Object.entries(value)) {
      checkedString(key, `${where} key`);
      if (entry !== undefined) entries.push([key, entry as PlistInput]);
    }
    return { type: 'dict', value, entries };
  }
  throw new PlistBuildError(`${value.constructor?.name ?? 'object'} at ${where} is not a property list value`);
}

function checkedString(value: string, where: string): string {
  if (LONE_SURROGATE.test(value)) throw new PlistBuildError(`string at ${where} holds a lone UTF-16 surrogate`);
  return value;
}

/** Containers on the current path, to refuse cycles and runaway nesting while building. */
export class BuildPath {
  private readonly open = new Set<object>();

  enter(container: object, where: string): void {
    if (this.open.has(container)) throw new PlistBuildError(`value at ${where} contains itself`);
    if (this.open.size >= MAX_BUILD_DEPTH) throw new PlistBuildError(`nesting deeper than ${MAX_BUILD_DEPTH} at ${where}`);
    this.open.add(container);
  }

  leave(container: object): void {
    this.open.delete(container);
  }
}
