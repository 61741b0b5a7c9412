import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Clock } from '../../application/ports/clock.js';

/** A real CA whose chain verifications are counted: the cache's effect becomes observable. */
export interface CountingCa extends CertificateAuthority {
  readonly verifications: number;
}

export function countingCa(inner: CertificateAuthority): CountingCa {
  let verifications = 0;
  return {
    certificatePem: () => inner.certificatePem(),
    certificateDer: () => inner.certificateDer(),
    issue: (request) => inner.issue(request),
    verifyIssued: (certificate, at) => {
      verifications++;
      return inner.verifyIssued(certificate, at);
    },
    get verifications() {
      return verifications;
    },
  };
}

export interface SettableClock extends Clock {
  set(time: Date): void;
}

export function settableClock(start: Date): SettableClock {
  let time = start;
  return { now: () => time, set: (next) => (time = next) };
}
