/**
 * Why a request could not be tied to a device certificate of ours. Every path through the identity
 * code ends in either an identity or one of these; nothing it parses may throw past it.
 */
export type IdentityFailureReason =
  /** No source presented a certificate (or the only one came from an untrusted peer's header). */
  | 'no-certificate'
  /** Mdm-Signature: the digest or the signature does not cover this body with that certificate. */
  | 'bad-signature'
  /** The certificate was not issued by the MDM CA (or its signature does not verify). */
  | 'foreign-ca'
  /** Issued by the MDM CA, but outside its validity period now. */
  | 'expired'
  /** Undecodable input: base64, DER, CMS structure, unsupported algorithm, missing raw body. */
  | 'malformed'
  /** Issued by the MDM CA and valid, but revoked. */
  | 'revoked';

/** A failure before the request's peer is known to the caller. */
export interface IdentityProblem {
  readonly reason: IdentityFailureReason;
  /** Our own words plus hashes; never attacker-supplied text, never secrets. */
  readonly detail: string;
  /** The certificate's SHA-256, once it is known to be one of ours. */
  readonly certificateHash?: string;
  /** Why it was revoked (for 'revoked'). */
  readonly revocationReason?: string;
}

/** What the middleware reports for each refused request (the event a security log records). */
export interface IdentityFailure extends IdentityProblem {
  readonly remoteAddress: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: IdentityProblem };

export const accepted = <T>(value: T): Checked<T> => ({ ok: true, value });

export const refused = <T = never>(reason: IdentityFailureReason, detail: string): Checked<T> => ({
  ok: false,
  problem: { reason, detail },
});
