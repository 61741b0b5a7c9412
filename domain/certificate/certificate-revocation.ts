import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * Revoking an identity certificate: once revoked it never speaks for anyone again, and it is listed
 * in the CRL until it expires. Revoking a revoked certificate changes nothing (the first reason
 * stands), so every trigger may fire more than once.
 */
export const REVOCATION_REASONS = ['checked-out', 'wiped', 'enrollment-rejected', 'superseded', 'key-compromise', 'admin'] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const isRevocationReason = (value: unknown): value is RevocationReason => typeof value === 'string' && (REVOCATION_REASONS as readonly string[]).includes(value);

export interface RevokeCertificate {
  readonly type: 'RevokeCertificate';
  /** SHA-256 of the certificate's DER, lower-case hex. */
  readonly sha256: string;
  /** Lower-case hex, when known (certificates are listed in the CRL by serial). */
  readonly serialNumber?: string;
  /** ISO-8601 end of the certificate's validity, when known: the CRL drops it some time after. */
  readonly notAfter?: string;
  readonly reason: RevocationReason;
  /** "<kind>:<id>", e.g. "device:<udid>", "admin:alice". */
  readonly revokedBy: string;
  readonly at: string;
}

export type CertificateRevoked = {
  readonly type: 'CertificateRevoked';
  readonly data: {
    readonly sha256: string;
    readonly serialNumber?: string;
    readonly notAfter?: string;
    readonly reason: RevocationReason;
    readonly revokedBy: string;
    readonly revokedAt: string;
  };
};

export type CertificateRevocationEvent = CertificateRevoked;

/** One certificate's revocation state. */
export interface CertificateRevocationState {
  readonly revoked?: CertificateRevoked['data'];
}

const SHA256 = /^[0-9a-f]{64}$/;
// DER serials are at most 20 octets (RFC 5280 §4.1.2.2).
const SERIAL = /^[0-9a-f]{1,40}$/;

export const certificateRevocationDecider: Decider<RevokeCertificate, CertificateRevocationEvent, CertificateRevocationState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    if (!SHA256.test(c.sha256)) throw new DomainError('invalid-certificate-hash', 'a certificate is named by the lower-case hex SHA-256 of its DER');
    if (!isRevocationReason(c.reason)) throw new DomainError('invalid-revocation-reason', `the reason must be one of ${REVOCATION_REASONS.join(', ')}`);
    if (c.serialNumber !== undefined && !SERIAL.test(c.serialNumber)) throw new DomainError('invalid-serial-number', 'a serial number is 1 to 40 lower-case hex digits');
    if (s.revoked) return [];
    return [{
      type: 'CertificateRevoked',
      data: {
        sha256: c.sha256,
        ...(c.serialNumber !== undefined ? { serialNumber: c.serialNumber } : {}),
        ...(c.notAfter !== undefined ? { notAfter: c.notAfter } : {}),
        reason: c.reason,
        revokedBy: c.revokedBy,
        revokedAt: c.at,
      },
    }];
  },
  evolve: (s, e) => (s.revoked ? s : { revoked: e.data }),
};

/**
 * RFC 5280 §5.3.1 CRLReason for each of our reasons; undefined is "unspecified", which RFC 5280
 * asks to leave out of the entry rather than state.
 */
export function crlReasonCode(reason: RevocationReason): number | undefined {
  switch (reason) {
    case 'checked-out':
    case 'wiped':
      return 5; // cessationOfOperation: the device left management
    case 'superseded':
      return 4;
    case 'enrollment-rejected':
      return 9; // privilegeWithdrawn
    case 'key-compromise':
      return 1;
    case 'admin':
      return undefined;
  }
}
