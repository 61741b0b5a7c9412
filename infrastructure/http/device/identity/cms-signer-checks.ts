import { verify, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';
import type { DigestName } from './cms-algorithms.js';
import type { SignedAttribute } from './cms-signed-data.js';

/** The value of a signed attribute; RFC 5652 §5.3: these are single-valued and must not repeat. */
export function singleAttribute(attributes: readonly SignedAttribute[], oid: string): forge.asn1.Asn1 | undefined {
  const matching = attributes.filter((attribute) => attribute.oid === oid);
  return matching.length === 1 && matching[0]!.values.length === 1 ? matching[0]!.values[0] : undefined;
}

/**
 * A signature check that answers false for anything malformed instead of throwing. RSA keys verify
 * PKCS#1 v1.5 by default; EC signatures are DER-encoded (r, s), Node's default too.
 */
export function signatureVerifies(digest: DigestName, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(digest, data, key, signature);
  } catch {
    return false;
  }
}
