// Buffer.from(text, 'base64') skips characters it does not know; an identity header must not
// quietly decode to something other than what was sent. Padding may be missing (RFC 8941 §3.3.5
// asks parsers of byte sequences to tolerate that), but nothing else is forgiven.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64 (RFC 4648 §4), no whitespace; undefined for anything else or for empty input. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
