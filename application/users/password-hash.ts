import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt (RFC 7914) with a per-password salt, the parameters written next to the
 * hash so that stronger ones can be adopted later without breaking existing passwords.
 * Encoded as `scrypt$1$<N>$<r>$<p>$<salt>$<hash>` (base64url); callers seal it before it is stored.
 */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 32 MiB and roughly 50-100 ms per hash on a server core: dear for guessing, cheap for a sign-in. */
export const DEFAULT_SCRYPT: ScryptParameters = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const ENCODED = /^scrypt\$1\$(\d{1,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{16,88})\$([A-Za-z0-9_-]{16,88})$/;

function derive(password: string, salt: Buffer, params: ScryptParameters, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Node refuses when 128 * N * r exceeds maxmem; leave room for the rest of the computation.
    scrypt(password.normalize('NFC'), salt, length, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParameters = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params, HASH_BYTES);
  return encode(params, salt, hash);
}

/**
 * A well-formed hash no password matches (random salt and hash): verifying against it costs what
 * verifying against a real one does, which is how an unknown user costs as much as a wrong password.
 */
export function unmatchableHash(params: ScryptParameters = DEFAULT_SCRYPT): string {
  return encode(params, randomBytes(SALT_BYTES), randomBytes(HASH_BYTES));
}

/** Constant-time comparison; false for a hash it cannot read. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = decode(encoded);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

function encode(params: ScryptParameters, salt: Buffer, hash: Buffer): string {
  return `scrypt$1$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function decode(encoded: string): { params: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const match = ENCODED.exec(encoded);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a corrupted record from asking for gigabytes.
  if (!(N >= 2 ** 10 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const salt = Buffer.from(match[4]!, 'base64url');
  const hash = Buffer.from(match[5]!, 'base64url');
  if (hash.length < 16 || hash.length > 64) return undefined;
  return { params: { N, r, p }, salt, hash };
}
