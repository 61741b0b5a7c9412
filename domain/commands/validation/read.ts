import { isPlainObject } from '../plain-object.js';
import { invalid } from './invalid.js';
import { isPlistText } from './text.js';

export interface TextRule {
  readonly max: number;
  readonly pattern?: RegExp;
  /** Says what the pattern wants, for the error message. */
  readonly what?: string;
  readonly multiline?: boolean;
}

export { isPlainObject };

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

export function readText(value: unknown, path: string, rule: TextRule): string {
  if (typeof value !== 'string') invalid(path, `must be a string, not ${describe(value)}`);
  if (value.length === 0) invalid(path, 'must not be empty');
  if (value.length > rule.max) invalid(path, `must be at most ${rule.max} characters`);
  if (!isPlistText(value, rule.multiline)) invalid(path, rule.multiline ? 'contains control characters' : 'must be a single line without control characters');
  if (value.trim() !== value) invalid(path, 'must not start or end with white space');
  if (rule.pattern && !rule.pattern.test(value)) invalid(path, `must be ${rule.what ?? 'well-formed'}`);
  return value;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') invalid(path, `must be true or false, not ${describe(value)}`);
  return value;
}

export function readInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(path, `must be a whole number, not ${describe(value)}`);
  if (value < min || value > max) invalid(path, `must be from ${min} to ${max}`);
  return value;
}

export function readOneOf<T extends string | number>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    invalid(path, allowed.length > 12 ? 'is not one of the known values' : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as T;
}

export interface ListRule {
  readonly min?: number;
  readonly max: number;
  readonly unique?: boolean;
}

export function readList<T>(value: unknown, path: string, rule: ListRule, item: (value: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) invalid(path, `must be an array, not ${describe(value)}`);
  const min = rule.min ?? 0;
  if (value.length < min) invalid(path, min === 1 ? 'must not be empty' : `must hold at least ${min} entries`);
  if (value.length > rule.max) invalid(path, `must hold at most ${rule.max} entries`);
  const items = value.map((v, i) => item(v, `${path}[${i}]`));
  if (rule.unique) {
    const seen = new Set<unknown>();
    items.forEach((v, i) => {
      if (seen.has(v)) invalid(`${path}[${i}]`, 'repeats an earlier entry');
      seen.add(v);
    });
  }
  return items;
}

/**
 * A dictionary of admin input with a closed set of keys: anything else is refused by name, so a
 * misspelt optional parameter cannot be silently dropped.
 */
export class InputObject {
  private constructor(
    private readonly fields: Record<string, unknown>,
    readonly path: string,
  ) {}

  static read(value: unknown, path: string, allowed: readonly string[]): InputObject {
    if (!isPlainObject(value)) invalid(path, `must be an object, not ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) invalid(`${path}.${key.length > 64 ? `${key.slice(0, 64)}…` : key}`, 'is not a known parameter');
    }
    return new InputObject(value, path);
  }

  at(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.fields, key) && this.fields[key] !== undefined;
  }

  /** The value at `key` passed through `parse`, or undefined when absent (refused when `required`). */
  take<T>(key: string, parse: (value: unknown, path: string) => T, required = false): T | undefined {
    if (!this.has(key)) {
      if (required) invalid(this.at(key), 'is required');
      return undefined;
    }
    return parse(this.fields[key], this.at(key));
  }

  need<T>(key: string, parse: (value: unknown, path: string) => T): T {
    return this.take(key, parse, true) as T;
  }

  text(key: string, rule: TextRule): string | undefined {
    return this.take(key, (v, p) => readText(v, p, rule));
  }

  needText(key: string, rule: TextRule): string {
    return this.need(key, (v, p) => readText(v, p, rule));
  }

  boolean(key: string): boolean | undefined {
    return this.take(key, readBoolean);
  }
}

/** Drops undefined members so optional parameters that were not given leave no trace in events. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
