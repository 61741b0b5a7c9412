import type { Sealed } from '../shared/sealed.js';
import { isPlainObject } from './plain-object.js';

/**
 * A large payload (a configuration profile, a provisioning profile, a wallpaper) stored once,
 * content-addressed, outside the event stream. Commands carry only this reference; the bytes are
 * fetched and checked against `sha256` and `size` when the command is delivered.
 */
export type BlobRef = {
  readonly blobId: string;
  /** Lower-case hex SHA-256 of the bytes. */
  readonly sha256: string;
  /** Length in bytes. */
  readonly size: number;
};

/**
 * A secret parameter (unlock token, Find My PIN) sealed by the application's SecretBox
 * (`sb1.<keyId>.<base64url>`). The domain checks only the shape: it can neither open nor create one.
 */
export type SealedRef = { readonly sealed: Sealed };

const SEALED_FORMAT = /^sb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/;
// IV (12 bytes) and tag (16 bytes) alone take 38 base64url characters; anything shorter was never sealed.
const MIN_SEALED_LENGTH = 'sb1.'.length + 8 + 1 + 38;
const MAX_SEALED_LENGTH = 16_384;
const BLOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSealedValue(value: unknown): value is Sealed {
  return typeof value === 'string' && value.length >= MIN_SEALED_LENGTH && value.length <= MAX_SEALED_LENGTH && SEALED_FORMAT.test(value);
}

/** `{ sealed: "sb1.…" }` and nothing else. */
export function isSealedRef(value: unknown): value is SealedRef {
  return isPlainObject(value) && Object.keys(value).length === 1 && isSealedValue(value['sealed']);
}

/** `{ blobId, sha256, size }` and nothing else; `maxSize` bounds what a command may carry. */
export function isBlobRef(value: unknown, maxSize = Number.MAX_SAFE_INTEGER): value is BlobRef {
  if (!isPlainObject(value) || Object.keys(value).length !== 3) return false;
  const { blobId, sha256, size } = value;
  return typeof blobId === 'string' && BLOB_ID.test(blobId)
    && typeof sha256 === 'string' && SHA256_HEX.test(sha256)
    && typeof size === 'number' && Number.isSafeInteger(size) && size > 0 && size <= maxSize;
}
