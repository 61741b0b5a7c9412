import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { LruMap } from './lru-map.js';

export type PublicKeyOf = (certificateDer: Buffer) => KeyObject;

/** Without a cache: parse every time. Throws when the DER is not a certificate. */
export const parsePublicKey: PublicKeyOf = (certificateDer) => new X509Certificate(certificateDer).publicKey;

/**
 * Signers' public keys by the SHA-256 of their certificate. Decoding a key with OpenSSL 3 costs
 * about as much as the rest of an Mdm-Signature check together, and a device signs every message
 * with the same certificate. A junk certificate can only evict entries, which costs time, not
 * correctness.
 */
export function cachedPublicKeys(maxEntries = 10_000): PublicKeyOf {
  const keys = new LruMap<string, KeyObject>(maxEntries);
  return (certificateDer) => {
    const hash = createHash('sha256').update(certificateDer).digest('hex');
    let key = keys.get(hash);
    if (!key) {
      key = parsePublicKey(certificateDer);
      keys.set(hash, key);
    }
    return key;
  };
}
