/**
 * Signs audit checkpoints (the heads of every stream at a point of the store). The key lives
 * outside the event store: someone who can rewrite the store cannot also forge the checkpoints
 * that would hide the rewrite.
 */
export interface CheckpointSigner {
  /** Names the key without revealing it; recorded in each checkpoint so a verifier picks the right key. */
  readonly keyId: string;
  sign(bytes: Uint8Array): string;
  /** False for any mismatch (wrong key, altered bytes, malformed signature); never throws. */
  verify(bytes: Uint8Array, signature: string): boolean;
}

export const CHECKPOINT_SIGNER = Symbol.for('mdm.CheckpointSigner');
