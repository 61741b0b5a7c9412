import { integerValue, isIntegerInRange } from './plist-value.js';

/**
 * The text forms of `<integer>`, `<real>`, `<date>` and `<data>`. Readers return undefined for text
 * that is not a valid form; the parser turns that into a PlistParseError with the position.
 */

const DECIMAL_INTEGER = /^[+-]?[0-9]{1,64}$/;
// Python's plistlib and Core Foundation both read hexadecimal integers.
const HEX_INTEGER = /^([+-]?)0[xX]([0-9A-Fa-f]{1,32})$/;
// Each digit run can be matched one way only, so a long non-matching text fails in linear time.
const DECIMAL_REAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

export function readInteger(text: string): number | bigint | undefined {
  const trimmed = text.trim();
  let value: bigint;
  if (DECIMAL_INTEGER.test(trimmed)) {
    value = BigInt(trimmed);
  } else {
    const hex = HEX_INTEGER.exec(trimmed);
    if (!hex) return undefined;
    value = BigInt(`0x${hex[2]}`) * (hex[1] === '-' ? -1n : 1n);
  }
  return isIntegerInRange(value) ? integerValue(value) : undefined;
}

export function readReal(text: string): number | undefined {
  const trimmed = text.trim();
  if (DECIMAL_REAL.test(trimmed)) return Number(trimmed);
  const lower = trimmed.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (/^\+?inf(?:inity)?$/.test(lower)) return Number.POSITIVE_INFINITY;
  if (/^-inf(?:inity)?$/.test(lower)) return Number.NEGATIVE_INFINITY;
  return undefined;
}

/** Core Foundation writes `nan`, `+infinity` and `-infinity`; Python reads those too. */
export function formatReal(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return '+infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-infinity';
  return Object.is(value, -0) ? '-0.0' : String(value);
}

export function readDate(text: string): Date | undefined {
  const match = DATE.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Dates roll 2024-02-30 over to March: refuse instead of guessing.
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return exact ? date : undefined;
}

/** ISO 8601 in UTC without milliseconds, as Apple writes it; milliseconds are dropped. */
export function formatDate(date: Date): string | undefined {
  const time = date.getTime();
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(Math.floor(time / 1000) * 1000).toISOString();
  return /^\d{4}-/.test(iso) ? iso.replace(/\.\d{3}Z$/, 'Z') : undefined;
}

export function readData(text: string): Buffer | undefined {
  const compact = text.replace(/[ \t\n\r]+/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

export function formatData(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
