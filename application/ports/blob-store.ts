/**
 * Large payloads (profiles, provisioning profiles, manifests) stored once, content-addressed:
 * commands and events refer to them by id and SHA-256 instead of carrying the bytes.
 */
export interface StoredBlob {
  readonly blobId: string;
  readonly sha256: string;
  readonly size: number;
}

export interface BlobStore {
  /** Stores `bytes` (idempotent: the same bytes give the same reference). */
  put(bytes: Buffer, mediaType: string): Promise<StoredBlob>;
  /** The bytes, or undefined when no such blob exists. */
  get(blobId: string): Promise<Buffer | undefined>;
}

export const BLOB_STORE = Symbol.for('mdm.BlobStore');

export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
}
