import { randomBytes } from 'node:crypto';

/**
 * 16 bytes from the CSPRNG: the CA/Browser Forum asks for at least 64 random bits, and random
 * serials make issuing order unguessable. Lower-case hex, always 32 characters.
 */
export function randomSerialNumber(): string {
  for (;;) {
    const bytes = randomBytes(16);
    // A set top bit would make the DER INTEGER negative.
    bytes[0] = bytes[0]! & 0x7f;
    // A zero first byte would be a non-minimal INTEGER encoding, which OpenSSL rejects; redrawing
    // also keeps every serial non-zero.
    if (bytes[0] !== 0) return bytes.toString('hex');
  }
}
