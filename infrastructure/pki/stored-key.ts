import { createPrivateKey, type KeyObject } from 'node:crypto';

/** A private key file that cannot be opened; the message names the file and what to fix. */
export class StoredKeyError extends Error {
  override readonly name = 'StoredKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const isEncryptedKeyPem = (pem: string): boolean => pem.includes('ENCRYPTED');

/**
 * A private key as kept on disk: encrypted PKCS#8 (AES-256-CBC) when there is a passphrase
 * (MDM_CA_KEY_PASSPHRASE), plain PKCS#8 otherwise.
 */
export function encodeStoredKey(key: KeyObject | string, passphrase: string | undefined): string {
  const object = typeof key === 'string' ? createPrivateKey(key) : key;
  return passphrase === undefined
    ? object.export({ type: 'pkcs8', format: 'pem' }).toString()
    : object.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

/** Opens a key written by encodeStoredKey (or an unencrypted PEM key an operator put there). */
export function decodeStoredKey(pem: string, passphrase: string | undefined, path: string): KeyObject {
  const encrypted = isEncryptedKeyPem(pem);
  if (encrypted && passphrase === undefined) throw new StoredKeyError(`the key ${path} is encrypted: set MDM_CA_KEY_PASSPHRASE`);
  try {
    return createPrivateKey(encrypted ? { key: pem, passphrase: passphrase! } : pem);
  } catch (error) {
    throw new StoredKeyError(`cannot open the key ${path}${encrypted ? ' (is MDM_CA_KEY_PASSPHRASE right?)' : ''}: ${(error as Error).message}`, { cause: error });
  }
}
