/**
 * A dictionary as JSON.parse or a plist parser makes it, as opposed to an array, a Buffer, a Date or
 * a class instance. Untrusted input is only ever read through this check.
 */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));
