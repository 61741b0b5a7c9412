import { invalid } from './validation/invalid.js';
import { isPlainObject } from './validation/read.js';

/** The parameters an admin may send in clear, to be sealed by the application before validation. */
export const CLEAR_SECRET_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  DeviceLock: ['PIN'],
  EraseDevice: ['PIN'],
};

/** Find My PIN for DeviceLock and EraseDevice on macOS: six digits. */
export const isFindMyPin = (value: string): boolean => /^[0-9]{6}$/.test(value);

/**
 * Replaces clear secret parameters in admin input with sealed references, checking each clear value
 * first (a PIN is six digits): `seal` is the application's SecretBox, given the clear value and the
 * parameter's name. Values that are already sealed references, and everything else, pass through
 * untouched for validateCommandRequest to judge. The input object is not modified.
 */
export function sealSecretParameters(input: unknown, seal: (clear: string, parameter: string) => string): unknown {
  if (!isPlainObject(input) || typeof input['requestType'] !== 'string') return input;
  const type = input['requestType'];
  const secrets = Object.prototype.hasOwnProperty.call(CLEAR_SECRET_PARAMETERS, type) ? CLEAR_SECRET_PARAMETERS[type]! : [];
  const sealed = secrets.filter((key) => typeof input[key] === 'string').map((key) => {
    const clear = input[key] as string;
    if (!isFindMyPin(clear)) invalid(`${type}.${key}`, 'must be six digits');
    return [key, { sealed: seal(clear, key) }] as const;
  });
  return sealed.length === 0 ? input : { ...input, ...Object.fromEntries(sealed) };
}
