import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/**
 * The content-encryption algorithms SCEP clients use (GetCACaps advertises AES and DES3; Debian's
 * scepclient still sends single DES). OpenSSL 3 dropped DES and 3DES is a legacy provider
 * away, so those go through node-forge; AES stays with Node's crypto.
 */
export interface ContentCipher {
  readonly oid: string;
  readonly keyLength: number;
  readonly blockSize: number;
  decrypt(key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer;
  encrypt(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer;
}

export class ContentDecryptionError extends Error {
  override readonly name = 'ContentDecryptionError';
}

const BLOCK_SIZES = { des: 8, aes: 16 } as const;

function forgeCipher(oid: string, name: 'DES-CBC' | '3DES-CBC', keyLength: number): ContentCipher {
  return {
    oid,
    keyLength,
    blockSize: BLOCK_SIZES.des,
    decrypt(key, iv, ciphertext) {
      checkShape(iv, ciphertext, BLOCK_SIZES.des);
      const decipher = forge.cipher.createDecipher(name, forge.util.createBuffer(key.toString('binary')));
      decipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
      decipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
      if (!decipher.finish()) throw new ContentDecryptionError('bad content padding');
      return Buffer.from(decipher.output.getBytes(), 'binary');
    },
    encrypt(key, iv, plaintext) {
      const cipher = forge.cipher.createCipher(name, forge.util.createBuffer(key.toString('binary')));
      cipher.start({ iv: forge.util.createBuffer(iv.toString('binary')) });
      cipher.update(forge.util.createBuffer(plaintext.toString('binary')));
      cipher.finish();
      return Buffer.from(cipher.output.getBytes(), 'binary');
    },
  };
}

function nodeCipher(oid: string, name: string, keyLength: number): ContentCipher {
  return {
    oid,
    keyLength,
    blockSize: BLOCK_SIZES.aes,
    decrypt(key, iv, ciphertext) {
      checkShape(iv, ciphertext, BLOCK_SIZES.aes);
      try {
        const decipher = createDecipheriv(name, key, iv);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        throw new ContentDecryptionError('bad content padding');
      }
    },
    encrypt(key, iv, plaintext) {
      const cipher = createCipheriv(name, key, iv);
      return Buffer.concat([cipher.update(plaintext), cipher.final()]);
    },
  };
}

function checkShape(iv: Buffer, ciphertext: Buffer, blockSize: number): void {
  if (iv.length !== blockSize) throw new ContentDecryptionError('the IV has the wrong length');
  if (ciphertext.length === 0 || ciphertext.length % blockSize !== 0) throw new ContentDecryptionError('the ciphertext is not whole blocks');
}

export const CONTENT_CIPHERS: ReadonlyMap<string, ContentCipher> = new Map(
  [
    forgeCipher('1.3.14.3.2.7', 'DES-CBC', 8),
    forgeCipher('1.2.840.113549.3.7', '3DES-CBC', 24),
    nodeCipher('2.16.840.1.101.3.4.1.2', 'aes-128-cbc', 16),
    nodeCipher('2.16.840.1.101.3.4.1.22', 'aes-192-cbc', 24),
    nodeCipher('2.16.840.1.101.3.4.1.42', 'aes-256-cbc', 32),
  ].map((cipher) => [cipher.oid, cipher]),
);

/** A fresh key and IV for `cipher`. */
export function freshKeyAndIv(cipher: ContentCipher): { key: Buffer; iv: Buffer } {
  return { key: randomBytes(cipher.keyLength), iv: randomBytes(cipher.blockSize) };
}
