/**
 * The shape of a device report, declared once and used both to parse reports and (in tests) to check
 * every key we read against Apple's schema. Types are Apple's (`real`, `date`, `data` included).
 */
export type Shape =
  | { readonly kind: 'string'; readonly max: number }
  | { readonly kind: 'integer' }
  | { readonly kind: 'real' }
  | { readonly kind: 'boolean' }
  /** An ISO 8601 string (the report's dates, converted before parsing). */
  | { readonly kind: 'date' }
  /** Base64 in the report; parsed into a DataDigest, never kept whole. */
  | { readonly kind: 'data' }
  | ArrayShape
  | DictionaryShape
  /** A dictionary keyed by names not known in advance (bundle identifiers, restriction names). */
  | { readonly kind: 'map'; readonly of: Shape; readonly max: number };

export interface ArrayShape {
  readonly kind: 'array';
  readonly of: Shape;
  readonly max: number;
  /**
   * Device lists are sets whose order varies between reports: they are sorted (by this member, then
   * by content) so that the same content always reads the same. 'keep' when order means something.
   */
  readonly order: string | 'content' | 'keep';
}

export interface DictionaryShape {
  readonly kind: 'dictionary';
  readonly fields: Readonly<Record<string, Shape>>;
  /** Without these the whole dictionary is dropped (an entry that cannot be identified). */
  readonly required: readonly string[];
}

export const STRING_MAX = 1024;

export const text = (max = STRING_MAX): Shape => ({ kind: 'string', max });
export const integer: Shape = { kind: 'integer' };
export const real: Shape = { kind: 'real' };
export const boolean: Shape = { kind: 'boolean' };
export const date: Shape = { kind: 'date' };
export const data: Shape = { kind: 'data' };
export const arrayOf = (of: Shape, max: number, order: ArrayShape['order'] = 'content'): ArrayShape => ({ kind: 'array', of, max, order });
export const dictionary = (fields: Record<string, Shape>, required: readonly string[] = []): DictionaryShape => ({ kind: 'dictionary', fields, required });
export const mapOf = (of: Shape, max: number): Shape => ({ kind: 'map', of, max });
