import { createHash } from 'node:crypto';
import { children, parseDer, primitiveBytes } from './der.js';

/**
 * RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. OpenSSL computes the same,
 * so identifiers agree whichever tool made the certificate.
 */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  const [, subjectPublicKey] = children(parseDer(spkiDer));
  if (!subjectPublicKey) throw new Error('SubjectPublicKeyInfo has no subjectPublicKey');
  // The first content octet counts unused bits; it is not part of the key.
  const bits = primitiveBytes(subjectPublicKey).subarray(1);
  return createHash('sha1').update(bits).digest();
}
