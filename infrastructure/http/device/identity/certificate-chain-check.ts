import type { CertificateAuthority } from '../../../../application/ports/certificate-authority.js';
import type { Clock } from '../../../../application/ports/clock.js';
import { certificateSha256, summarizeCertificate, type CertificateSummary } from './certificate-summary.js';
import { accepted, refused, type Checked } from './identity-failure.js';
import type { VerifiedCertificate, VerifiedCertificateCache } from './verified-certificate-cache.js';

/**
 * Is this certificate one our CA issued, valid now? The CA port answers yes or no; telling "expired"
 * from "foreign" asks it again at the certificate's own notAfter, so operators see which it was.
 * Accepted certificates are cached by hash: devices check in often with the same certificate.
 */
export class CertificateChainCheck {
  constructor(
    private readonly ca: CertificateAuthority,
    private readonly clock: Clock,
    private readonly cache: VerifiedCertificateCache,
  ) {}

  check(der: Buffer): Checked<VerifiedCertificate> {
    const sha256 = certificateSha256(der);
    const now = this.clock.now();
    const cached = this.cache.get(sha256, now);
    if (cached) return accepted(cached);

    let summary: CertificateSummary;
    try {
      summary = summarizeCertificate(der);
    } catch {
      return refused('malformed', `certificate ${sha256} is not a DER-encoded X.509 certificate`);
    }
    if (this.issuedByCa(der, now)) {
      const verified: VerifiedCertificate = {
        sha256,
        subjectCommonName: summary.subjectCommonName,
        serialNumber: summary.serialNumber,
        notAfter: summary.notAfter,
      };
      this.cache.set(verified);
      return accepted(verified);
    }
    const outsideValidity = now < summary.notBefore || now > summary.notAfter;
    if (outsideValidity && this.issuedByCa(der, summary.notAfter)) {
      const when = now > summary.notAfter ? `expired at ${summary.notAfter.toISOString()}` : `not valid before ${summary.notBefore.toISOString()}`;
      return refused('expired', `certificate ${sha256} ${when}`);
    }
    return refused('foreign-ca', `certificate ${sha256} was not issued by the MDM CA`);
  }

  private issuedByCa(der: Buffer, at: Date): boolean {
    try {
      return this.ca.verifyIssued(der, at);
    } catch {
      return false;
    }
  }
}
