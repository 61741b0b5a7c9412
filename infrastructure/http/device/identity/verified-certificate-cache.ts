import { LruMap } from './lru-map.js';

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
  private readonly entries: LruMap<string, VerifiedCertificate>;

  constructor(maxEntries = DEFAULT_VERIFIED_CERTIFICATE_CACHE_SIZE) {
    this.entries = new LruMap(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  get maxEntries(): number {
    return this.entries.maxEntries;
  }

  get(sha256: string, now: Date): VerifiedCertificate | undefined {
    const entry = this.entries.get(sha256);
    if (entry && now.getTime() > entry.notAfter.getTime()) {
      this.entries.delete(sha256);
      return undefined;
    }
    return entry;
  }

  set(entry: VerifiedCertificate): void {
    this.entries.set(entry.sha256, entry);
  }
}
