import { verifyDetachedCms } from './cms-detached-signature.js';
import { refused, type Checked } from './identity-failure.js';
import { parsePublicKey, type PublicKeyOf } from './signer-key-cache.js';
import { decodeStrictBase64 } from './strict-base64.js';

export const MDM_SIGNATURE_HEADER = 'mdm-signature';

/**
 * The signer's certificate of an `Mdm-Signature` header: base64 of a detached CMS SignedData over
 * the request body, sent by devices whose enrollment profile sets SignMessage. `body` must be the
 * exact bytes received (express.raw() in front); anything else cannot be checked and is refused,
 * because a body read later by someone else would otherwise go unauthenticated.
 */
export function mdmSignatureCertificate(headerValue: string, body: unknown, publicKeyOf: PublicKeyOf = parsePublicKey): Checked<Buffer> {
  if (!Buffer.isBuffer(body)) {
    return refused('malformed', 'Mdm-Signature present but the raw request body is not available (express.raw() must run first)');
  }
  const cms = decodeStrictBase64(headerValue.trim());
  if (!cms) return refused('malformed', 'Mdm-Signature does not hold valid base64');
  return verifyDetachedCms(cms, body, publicKeyOf);
}
