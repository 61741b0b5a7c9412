import { constants, createHmac, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

/**
 * RSA PKCS#1 v1.5 key transport (RFC 8017 §7.2), the only key transport SCEP clients use. Node 20
 * refuses this padding in privateDecrypt (the Marvin attack), so the RSA operation runs without
 * padding and the unpadding happens here, in constant time and with implicit rejection: a
 * malformed block yields a key derived from the ciphertext and a secret, so a bad padding goes on
 * to fail exactly like a good padding around a wrong key, and nothing observable tells them apart.
 */
export class RsaKeyTransport {
  private readonly rejectionSecret: Buffer;

  constructor(private readonly privateKey: KeyObject) {
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    // Deterministic per key: the same ciphertext always yields the same substitute key, so
    // repeating a query reveals nothing either.
    this.rejectionSecret = createHmac('sha256', 'scep implicit rejection').update(pkcs8).digest();
  }

  /** The content-encryption key of `keyLength` bytes: the real one, or a substitute when the block is malformed. */
  unwrap(encryptedKey: Buffer, keyLength: number): Buffer {
    const substitute = this.substituteKey(encryptedKey, keyLength);
    let block: Buffer;
    try {
      block = privateDecrypt({ key: this.privateKey, padding: constants.RSA_NO_PADDING }, encryptedKey);
    } catch {
      // Wrong length or a value above the modulus: public facts about the ciphertext, not an oracle.
      return substitute;
    }
    return selectUnpadded(block, keyLength, substitute);
  }

  private substituteKey(encryptedKey: Buffer, keyLength: number): Buffer {
    const out = Buffer.alloc(keyLength);
    for (let counter = 0, offset = 0; offset < keyLength; counter++, offset += 32) {
      createHmac('sha256', this.rejectionSecret).update(Buffer.from([counter])).update(encryptedKey).digest().copy(out, offset);
    }
    return out;
  }
}

/** PKCS#1 v1.5 encryption to a recipient's public key; Node still allows it for encryption. */
export function wrapKey(publicKey: KeyObject, key: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, key);
}

/**
 * EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M, with |M| = keyLength. Every
 * byte is visited and no branch depends on the block's content.
 */
function selectUnpadded(block: Buffer, keyLength: number, substitute: Buffer): Buffer {
  const n = block.length;
  let good = isZero(block[0]!) & isZero(block[1]! ^ 0x02);
  let separatorIndex = 0;
  let lookingForSeparator = 1;
  for (let i = 2; i < n; i++) {
    const zero = isZero(block[i]!);
    separatorIndex |= i & -(lookingForSeparator & zero);
    lookingForSeparator &= zero ^ 1;
  }
  good &= lookingForSeparator ^ 1;
  good &= isGreaterOrEqual(separatorIndex, 10);
  good &= isZero((n - separatorIndex - 1) ^ keyLength);

  const mask = -good & 0xff;
  const out = Buffer.alloc(keyLength);
  const start = n - keyLength;
  for (let i = 0; i < keyLength; i++) {
    out[i] = (block[start + i]! & mask) | (substitute[i]! & ~mask & 0xff);
  }
  return out;
}

// 1 when x (0..2^31) is zero, else 0, without a data-dependent branch.
function isZero(x: number): number {
  return ((x | -x) >>> 31) ^ 1;
}

// 1 when a >= b for small non-negative integers.
function isGreaterOrEqual(a: number, b: number): number {
  return ((a - b) >>> 31) ^ 1;
}
