import { crlReasonCode } from '../../domain/certificate/certificate-revocation.js';
import type { Clock } from '../ports/clock.js';
import type { CrlEntry, CrlSigner } from '../ports/crl-signer.js';
import type { RevokedCertificate } from './certificate-revocations.js';

export const DEFAULT_CRL_VALIDITY_MS = 24 * 3600_000;

export interface PublishedCrl {
  readonly der: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber: bigint;
}

export interface RevocationSource {
  readonly version: number;
  list(): readonly RevokedCertificate[];
}

/**
 * The CRL as served: signed once and kept until a revocation changes it or half its validity has
 * passed, so relying parties always fetch one with hours left before its nextUpdate.
 */
export class RevocationList {
  private cached: { readonly crl: PublishedCrl; readonly version: number } | undefined;

  constructor(
    private readonly revocations: RevocationSource,
    private readonly signer: CrlSigner,
    private readonly clock: Clock,
    private readonly validityMs = DEFAULT_CRL_VALIDITY_MS,
  ) {}

  current(): PublishedCrl {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached && cached.version === this.revocations.version && now.getTime() < cached.crl.thisUpdate.getTime() + this.validityMs / 2 && now >= cached.crl.thisUpdate) return cached.crl;
    const version = this.revocations.version;
    // X.509 times have whole seconds.
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + this.validityMs);
    // Milliseconds since the epoch grow with every CRL this process makes, and across restarts.
    const crlNumber = cached && BigInt(now.getTime()) <= cached.crl.crlNumber ? cached.crl.crlNumber + 1n : BigInt(now.getTime());
    const der = this.signer.signCrl({ entries: crlEntries(this.revocations.list(), now, this.validityMs), thisUpdate, nextUpdate, crlNumber });
    const crl = { der, thisUpdate, nextUpdate, crlNumber };
    this.cached = { crl, version };
    return crl;
  }
}

/**
 * The entries a CRL lists: every revoked certificate with a known serial number, until one CRL
 * period after it expired (RFC 5280 §3.3 lets an entry go once the certificate expired; keeping it
 * one period longer covers relying parties still holding the previous CRL).
 */
export function crlEntries(revoked: readonly RevokedCertificate[], now: Date, validityMs: number): CrlEntry[] {
  const entries: CrlEntry[] = [];
  for (const r of revoked) {
    if (!r.serialNumber) continue;
    if (r.notAfter !== undefined && Date.parse(r.notAfter) + validityMs < now.getTime()) continue;
    const reasonCode = crlReasonCode(r.reason);
    entries.push({ serialNumber: r.serialNumber, revokedAt: new Date(r.revokedAt), ...(reasonCode !== undefined ? { reasonCode } : {}) });
  }
  return entries;
}
