/**
 * A secret that the application sealed before it reached the domain (SecretBox). The domain only
 * carries it; it can neither open nor create one, so events can never hold a secret in clear.
 */
export type Sealed = string & { readonly __sealed: unique symbol };

/** A sealed secret with its keyed fingerprint, so the domain can tell whether it changed. */
export interface SealedSecret {
  readonly sealed: Sealed;
  readonly fingerprint: string;
}
