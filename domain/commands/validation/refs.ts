import { COMMAND_LIMITS } from '../limits.js';
import { isBlobRef, isSealedRef, type BlobRef, type SealedRef } from '../refs.js';
import { invalid } from './invalid.js';

export function readBlobRef(value: unknown, path: string): BlobRef {
  if (!isBlobRef(value, COMMAND_LIMITS.blobBytes)) {
    invalid(path, `must be a stored blob reference { blobId, sha256 (hex), size (1 to ${COMMAND_LIMITS.blobBytes} bytes) }; store the payload first`);
  }
  return { blobId: value.blobId, sha256: value.sha256, size: value.size };
}

/** Secrets arrive sealed: the application seals clear input (sealSecretParameters) before validation. */
export function readSealedRef(value: unknown, path: string): SealedRef {
  if (!isSealedRef(value)) invalid(path, 'must be a sealed reference { sealed: "sb1.<keyId>.<…>" }; secrets are never accepted in clear');
  return { sealed: value.sealed };
}
