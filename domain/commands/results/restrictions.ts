import { arrayOf, boolean, dictionary, integer, mapOf, text, type DictionaryShape } from './shape.js';

/** How restrictions from all profiles combine: booleans, numeric limits, and value sets. */
export type RestrictionsDictionary = {
  readonly restrictedBool?: { readonly [name: string]: { readonly value: boolean } };
  readonly restrictedValue?: { readonly [name: string]: { readonly value: number } };
  readonly intersection?: { readonly [name: string]: { readonly values: string[] } };
  readonly union?: { readonly [name: string]: { readonly values: string[] } };
};

export type RestrictionsResult = {
  readonly requestType: 'Restrictions';
  readonly GlobalRestrictions: RestrictionsDictionary;
  /** By profile identifier; present when the command asked for ProfileRestrictions. */
  readonly ProfileRestrictions?: { readonly [profileIdentifier: string]: RestrictionsDictionary };
  readonly truncated?: true;
};

const MAX_RESTRICTIONS = 1000;
const values = dictionary({ values: arrayOf(text(255), 1000) }, ['values']);

const RESTRICTIONS_DICTIONARY = dictionary({
  restrictedBool: mapOf(dictionary({ value: boolean }, ['value']), MAX_RESTRICTIONS),
  restrictedValue: mapOf(dictionary({ value: integer }, ['value']), MAX_RESTRICTIONS),
  intersection: mapOf(values, MAX_RESTRICTIONS),
  union: mapOf(values, MAX_RESTRICTIONS),
});

export const RESTRICTIONS_REPORT: DictionaryShape = dictionary(
  { GlobalRestrictions: RESTRICTIONS_DICTIONARY, ProfileRestrictions: mapOf(RESTRICTIONS_DICTIONARY, 500) },
  ['GlobalRestrictions'],
);
