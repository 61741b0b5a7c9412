import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { SecretBoxError, type SecretBox } from '../../application/ports/secret-box.js';

export { loadOrCreateSecretsKey, SECRETS_KEY_FILE_ENV, type SecretsKey } from './secrets-key-file.js';

const VERSION = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^sb1\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)$/;

/**
 * AES-256-GCM. Sealed values read `sb1.<keyId>.<base64url(iv | ciphertext | tag)>`: the version and
 * the key id let a later key rotation find the right key without trying them all.
 */
export class AesGcmSecretBox implements SecretBox {
  /** First 8 hex characters of SHA-256(key): names the key without revealing it. */
  readonly keyId: string;

  /** A separate key for fingerprints, derived so that the encryption key is never used twice over. */
  private readonly macKey: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
    this.macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'mdm secret fingerprint v1', 32));
  }

  fingerprint(plaintext: string | Buffer, context: string): string {
    const mac = createHmac('sha256', this.macKey).update(Buffer.from(context, 'utf8')).update(Buffer.from([0])).update(plaintext).digest('hex');
    return `fp1.${this.keyId}.${mac.slice(0, 32)}`;
  }

  seal(plaintext: string | Buffer, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const payload = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    return `${VERSION}.${this.keyId}.${payload.toString('base64url')}`;
  }

  // Error messages never include the sealed value or the plaintext: they end up in logs.
  open(sealed: string, context: string): Buffer {
    const match = typeof sealed === 'string' ? SEALED.exec(sealed) : null;
    if (!match) throw new SecretBoxError('value is not a sealed secret');
    const [, keyId, encoded] = match as unknown as [string, string, string];
    if (keyId !== this.keyId) {
      throw new SecretBoxError(`secret was sealed under key ${keyId}; this box holds key ${this.keyId}`);
    }
    const payload = Buffer.from(encoded, 'base64url');
    if (payload.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, payload.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
      return Buffer.concat([decipher.update(payload.subarray(IV_BYTES, payload.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SecretBoxError('sealed secret failed authentication (wrong context, wrong key or altered value)');
    }
  }

  isSealed(value: string): boolean {
    const match = typeof value === 'string' ? SEALED.exec(value) : null;
    return match !== null && Buffer.from(match[2]!, 'base64url').length >= IV_BYTES + TAG_BYTES;
  }
}
