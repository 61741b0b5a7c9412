/**
 * SCEP (RFC 8894) challenge passwords and the record of what SCEP issued. A challenge is the only
 * thing that authorizes a PKCSReq: one-time challenges bound to an enrollment, or a static one
 * shared by every client that knows it.
 */

export interface ScepCsrSubject {
  readonly commonName?: string;
}

export type ScepChallengeVerdict =
  | {
      readonly ok: true;
      readonly enrollmentId?: string;
      /** A renewal challenge: the enrolled device (UDID) and the SHA-256 of the certificate being renewed. */
      readonly renewal?: { readonly udid: string; readonly renewalOf: string };
    }
  | { readonly ok: false };

export interface ScepChallenges {
  /** Whether `challenge` authorizes a certificate for a request with this subject. Never throws for bad input. */
  verify(challenge: string, csrSubject: ScepCsrSubject): Promise<ScepChallengeVerdict>;
  /**
   * Spends a one-time challenge once its certificate is about to be issued; false when it was spent
   * meanwhile (two requests racing with the same challenge). Absent for reusable challenges.
   */
  consume?(challenge: string): Promise<boolean>;
}

export const SCEP_CHALLENGES = Symbol.for('mdm.ScepChallenges');

/** What is kept about an issued device identity (by SCEP, or in a PKCS#12 profile): never keys, never the challenge or password. */
export interface ScepIssuedCertificate {
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly subject: {
    readonly commonName: string;
    readonly organization?: string;
    readonly organizationalUnit?: string;
    readonly country?: string;
  };
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the certificate DER, lower-case hex. */
  readonly sha256: string;
  /** PKCSReq or RenewalReq (SCEP), or PKCS12: the server made the key and served it in the enrollment profile. */
  readonly messageType: 'PKCSReq' | 'RenewalReq' | 'PKCS12';
  /** The client's transactionID (a printable string it chose); for PKCS12, the enrollment id. */
  readonly transactionId: string;
  readonly enrollmentId?: string;
  /** SHA-256 of the certificate this one renews (a renewal challenge, or the RenewalReq's signer). */
  readonly renewalOf?: string;
  /** The enrolled device a renewal challenge was issued for. */
  readonly udid?: string;
}

export interface ScepIssuanceRecorder {
  /** Called after a certificate was issued and before it is sent; a throw turns the answer into a failure. */
  recordIssued(certificate: ScepIssuedCertificate): Promise<void>;
}

export const SCEP_ISSUANCE_RECORDER = Symbol.for('mdm.ScepIssuanceRecorder');
