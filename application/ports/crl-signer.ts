/**
 * Signs certificate revocation lists (RFC 5280 §5) with the CA's key, which stays inside the
 * adapter. What goes into the list is the application's decision; the encoding is the adapter's.
 */

export interface CrlEntry {
  /** The revoked certificate's serial number, lower-case hex. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  /** RFC 5280 §5.3.1 CRLReason code; undefined leaves the reason out (unspecified). */
  readonly reasonCode?: number;
}

export interface CrlRequest {
  readonly entries: readonly CrlEntry[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Monotonically increasing (RFC 5280 §5.2.3); at most 20 octets. */
  readonly crlNumber: bigint;
}

export interface CrlSigner {
  /** The DER of an X.509 v2 CRL issued and signed by the CA. */
  signCrl(request: CrlRequest): Buffer;
}

export const CRL_SIGNER = Symbol.for('mdm.CrlSigner');
