import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CheckpointSigner } from '../../application/ports/checkpoint-signer.js';

const SIGNATURE = /^hs256\.([0-9a-f]{64})$/;

/**
 * HMAC-SHA256 checkpoints. Signatures read `hs256.<hex>`; the key id is the first 16 hex digits of
 * SHA-256 over a label and the key, so it names the key without helping anyone guess it.
 */
export class HmacCheckpointSigner implements CheckpointSigner {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('an audit checkpoint key needs at least 32 bytes');
    this.keyId = createHash('sha256').update('mdm audit checkpoint key id\n').update(key).digest('hex').slice(0, 16);
  }

  sign(bytes: Uint8Array): string {
    return `hs256.${createHmac('sha256', this.key).update(bytes).digest('hex')}`;
  }

  verify(bytes: Uint8Array, signature: string): boolean {
    const match = typeof signature === 'string' ? SIGNATURE.exec(signature) : null;
    if (!match) return false;
    const expected = createHmac('sha256', this.key).update(bytes).digest();
    return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
  }
}
