import { accepted, refused, type Checked } from './identity-failure.js';
import { decodeStrictBase64 } from './strict-base64.js';

export const CLIENT_CERT_HEADER = 'client-cert';

/**
 * The DER of an RFC 9440 `Client-Cert` value: one structured-field byte sequence, ":<base64>:".
 * Repeated headers arrive joined with ", " and fail here, as RFC 9440 asks for exactly one.
 */
export function parseClientCertHeader(value: string): Checked<Buffer> {
  const match = /^:([^:]*):$/.exec(value.trim());
  if (!match) return refused('malformed', 'Client-Cert is not a structured-field byte sequence (":<base64>:")');
  const der = decodeStrictBase64(match[1]!);
  if (!der) return refused('malformed', 'Client-Cert does not hold valid base64');
  return accepted(der);
}
