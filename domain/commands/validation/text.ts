// C0 controls and DEL; property lists in XML cannot carry most of them and none belongs in a parameter.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAK = /[\t\n\r]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NONCHARACTER = /[\uFFFE\uFFFF]/;

/** Text a property list can carry: no controls (line breaks only when `multiline`), no lone surrogates. */
export function isPlistText(value: string, multiline = false): boolean {
  return !CONTROL.test(value) && (multiline || !LINE_BREAK.test(value)) && !LONE_SURROGATE.test(value) && !NONCHARACTER.test(value);
}

export const PATTERNS = Object.freeze({
  /** Apple: alphanumerics, hyphens and periods; underscores survive in older apps. */
  bundleIdentifier: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  uuid: /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
  hostName: /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
  /** IANA names: "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5". */
  timeZone: /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}$/,
  phoneNumber: /^\+?[0-9(][0-9 ().\/-]{0,31}$/,
  email: /^[^\s@]{1,64}@[^\s@]{1,253}$/,
  cellularSlice: /^(?:DNN|AppCategory):\S/,
  /** `<service>:<domain>[?mode=…]`, e.g. "applinks:example.com". */
  associatedDomain: /^[A-Za-z]+:[^\s:\/]+$/,
});
