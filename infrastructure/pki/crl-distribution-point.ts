import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';

/** Where the device listener serves the CRL, as named in issued certificates. */
export const crlUrl = (publicUrl: string): string => `${publicUrl.replace(/\/+$/, '')}/crl`;

/**
 * The CA as the server issues with it: every leaf certificate names the CRL's URL, so relying
 * parties (gateways, proxies, openssl -crl_check) can find out about revocations.
 */
export function withCrlDistributionPoint(ca: CertificateAuthority, url: string): CertificateAuthority {
  return {
    certificatePem: () => ca.certificatePem(),
    certificateDer: () => ca.certificateDer(),
    verifyIssued: (certificate, at) => ca.verifyIssued(certificate, at),
    issue: (request) => ca.issue({ crlDistributionPoint: url, ...request }),
  };
}
