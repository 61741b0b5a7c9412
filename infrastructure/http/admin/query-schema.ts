/**
 * Declarative query-string validation: each route names its parameters, each parameter says how
 * its text becomes a value and how it appears in the OpenAPI document. Anything a route does not
 * name is refused, so a misspelt filter is a 400, never a silently wider answer.
 */

/** A query parameter that cannot be accepted; the message is safe to show to the caller. */
export class QueryParamError extends Error {
  override readonly name = 'QueryParamError';
}

export interface Param<T> {
  /** The raw values (one per occurrence of the parameter) to a value, or a QueryParamError. */
  readonly parse: (raw: readonly string[], name: string) => T;
  /** JSON Schema of one occurrence, for the OpenAPI document. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly description?: string;
}

export type Schema = Readonly<Record<string, Param<unknown>>>;
export type Parsed<S extends Schema> = { -readonly [K in keyof S]?: S[K] extends Param<infer T> ? T : never };

const MAX_TEXT = 256;

function single(raw: readonly string[], name: string): string {
  if (raw.length !== 1) throw new QueryParamError(`${name} may be given once`);
  return raw[0]!;
}

export function text(options: { pattern?: RegExp; maxLength?: number; description?: string } = {}): Param<string> {
  const max = options.maxLength ?? MAX_TEXT;
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      if (value.length === 0 || value.length > max) throw new QueryParamError(`${name} must be 1 to ${max} characters`);
      if (options.pattern && !options.pattern.test(value)) throw new QueryParamError(`${name} is not in the expected form`);
      return value;
    },
    schema: { type: 'string', minLength: 1, maxLength: max, ...(options.pattern ? { pattern: options.pattern.source } : {}) },
    ...(options.description ? { description: options.description } : {}),
  };
}

export function integer(min: number, max: number, description?: string): Param<number> {
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      const n = /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new QueryParamError(`${name} must be a whole number from ${min} to ${max}`);
      return n;
    },
    schema: { type: 'integer', minimum: min, maximum: max },
    ...(description ? { description } : {}),
  };
}

export function decimal(min: number, max: number, description?: string): Param<number> {
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      const n = /^-?\d{1,16}(\.\d{1,16})?$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(n) || n < min || n > max) throw new QueryParamError(`${name} must be a number from ${min} to ${max}`);
      return n;
    },
    schema: { type: 'number', minimum: min, maximum: max },
    ...(description ? { description } : {}),
  };
}

export function boolean(description?: string): Param<boolean> {
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      if (value !== 'true' && value !== 'false') throw new QueryParamError(`${name} must be true or false`);
      return value === 'true';
    },
    schema: { type: 'boolean' },
    ...(description ? { description } : {}),
  };
}

export function oneOf<const V extends string>(values: readonly V[], description?: string): Param<V> {
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      if (!(values as readonly string[]).includes(value)) throw new QueryParamError(`${name} must be one of ${values.join(', ')}`);
      return value as V;
    },
    schema: { type: 'string', enum: [...values] },
    ...(description ? { description } : {}),
  };
}

/** An ISO 8601 time, normalised to UTC. */
export function time(description?: string): Param<string> {
  return {
    parse: (raw, name) => {
      const value = single(raw, name);
      const ms = Date.parse(value);
      if (value.length > 40 || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(ms)) {
        throw new QueryParamError(`${name} must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z`);
      }
      return new Date(ms).toISOString();
    },
    schema: { type: 'string', format: 'date-time' },
    ...(description ? { description } : {}),
  };
}

/** A list given as repeated parameters, comma-separated values, or both. */
export function list<T>(item: Param<T>, options: { maxItems: number; description?: string }): Param<T[]> {
  return {
    parse: (raw, name) => {
      const parts = raw.flatMap((r) => r.split(','));
      if (parts.length > options.maxItems) throw new QueryParamError(`${name} takes at most ${options.maxItems} values`);
      return parts.map((p) => item.parse([p], name));
    },
    schema: { type: 'array', items: item.schema, maxItems: options.maxItems },
    ...(options.description ? { description: options.description } : {}),
  };
}

/** Express's query object (simple parser: strings, arrays of strings) as raw values per name. */
export function rawQuery(query: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (query === null || typeof query !== 'object') return out;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length > 100 || !values.every((v): v is string => typeof v === 'string')) throw new QueryParamError(`${name} is not a plain value`);
    out.set(name, values);
  }
  return out;
}

/**
 * Parses every parameter the schema names; parameters it does not name go to `rest` when given
 * (it parses or refuses them), and are refused otherwise.
 */
export function parseQuery<S extends Schema>(schema: S, query: unknown, rest?: (name: string, raw: readonly string[]) => boolean): Parsed<S> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of rawQuery(query)) {
    const param = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (param) out[name] = param.parse(raw, name);
    else if (!rest || !rest(name, raw)) throw new QueryParamError(`unknown query parameter ${JSON.stringify(name.slice(0, 64))}; allowed: ${Object.keys(schema).join(', ')}`);
  }
  return out as Parsed<S>;
}

/** The schema's parameters as OpenAPI parameter objects. */
export function openApiParameters(schema: Schema): Array<Record<string, unknown>> {
  return Object.entries(schema).map(([name, param]) => ({
    name,
    in: 'query',
    required: false,
    schema: param.schema,
    ...(param.schema['type'] === 'array' ? { style: 'form', explode: true } : {}),
    ...(param.description ? { description: param.description } : {}),
  }));
}
