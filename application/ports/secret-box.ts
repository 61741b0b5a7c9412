/**
 * Seals secret values (unlock tokens, challenge passwords, PKCS#12 passwords, push keys) so that
 * events and read models only ever hold ciphertext. The key lives outside the event store.
 */
export interface SecretBox {
  /**
   * Seals `plaintext`. `context` (e.g. "device-1234/unlock-token") is authenticated but not
   * encrypted: a sealed value opened under another context fails, so values cannot be swapped.
   */
  seal(plaintext: string | Buffer, context: string): string;
  /** Opens a value sealed by `seal` with the same context; throws SecretBoxError on any mismatch. */
  open(sealed: string, context: string): Buffer;
  /** True when `value` looks like something `seal` produced (used to refuse clear secrets in events). */
  isSealed(value: string): boolean;
  /**
   * A keyed fingerprint (HMAC) of a secret under a context: equal secrets give equal fingerprints,
   * so "has it changed?" can be answered without opening anything, while the fingerprint reveals
   * nothing about the secret to someone without the key. Sealing is randomised and cannot do this.
   */
  fingerprint(plaintext: string | Buffer, context: string): string;
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export const SECRET_BOX = Symbol.for('mdm.SecretBox');
