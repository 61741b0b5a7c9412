/** A certificate the chain check accepted, with what the identity needs from it. */
export interface VerifiedCertificate {
  readonly sha256: string;
  readonly subjectCommonName: string | undefined;
  readonly serialNumber: string;
  readonly notAfter: Date;
}

export const DEFAULT_VERIFIED_CERTIFICATE_CACHE_SIZE = 10_000;

/**
 * Certificates that passed the chain check, keyed by the SHA-256 of their DER, least recently used
 * dropped first. Only successes are kept: unauthenticated clients cannot push real devices out by
 * presenting junk. An entry whose notAfter has passed is dropped on lookup, so the certificate goes
 * through the full check again (and is refused as expired).
 */
export class VerifiedCertificateCache {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used first.
  private readonly entries = new Map<string, VerifiedCertificate>();

  constructor(readonly maxEntries = DEFAULT_VERIFIED_CERTIFICATE_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(sha256: string, now: Date): VerifiedCertificate | undefined {
    const entry = this.entries.get(sha256);
    if (!entry) return undefined;
    this.entries.delete(sha256);
    if (now.getTime() > entry.notAfter.getTime()) return undefined;
    this.entries.set(sha256, entry);
    return entry;
  }

  set(entry: VerifiedCertificate): void {
    this.entries.delete(entry.sha256);
    this.entries.set(entry.sha256, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
