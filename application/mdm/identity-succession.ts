import type { RevocationReason } from '../../domain/certificate/certificate-revocation.js';
import type { EndedIdentity } from '../../domain/device/events.js';
import { certificateRecord } from '../certificates/certificate-records.js';
import type { EventStore } from '../ports/event-store.js';

/** Why a certificate was revoked, or undefined when it was not. */
export type RevocationLookup = (certificateHash: string) => Promise<RevocationReason | undefined>;

/** What the records say about a device's bound certificate and the certificate it now presents. */
export interface IdentitySuccession {
  /** The certificate the presented one renews, from its issuance record. */
  readonly renewalOf?: string;
  /** Set when the bound certificate no longer speaks for the device. */
  readonly endedIdentity?: EndedIdentity;
}

/**
 * Looked up only at Authenticate, and only when a known device presents another certificate than
 * the one it is bound to (renewal, re-enrollment, or a takeover attempt): four short stream reads.
 *
 * A certificate revoked as `superseded` has a successor already; any other revocation, or expiry,
 * ends the identity. Without a revocation lookup only expiry does.
 */
export async function identitySuccession(store: EventStore, bound: string, presented: string, at: string, revocationOf?: RevocationLookup): Promise<IdentitySuccession> {
  const [boundRecord, presentedRecord, revocation] = await Promise.all([
    certificateRecord(store, bound),
    certificateRecord(store, presented),
    revocationOf?.(bound),
  ]);
  const renewalOf = presentedRecord.issued?.renewalOf;
  const revoked = revocation !== undefined && revocation !== 'superseded';
  const notAfter = boundRecord.notAfter === undefined ? NaN : Date.parse(boundRecord.notAfter);
  const expired = !Number.isNaN(notAfter) && notAfter <= Date.parse(at);
  const ended: EndedIdentity['ended'] | undefined = revoked ? 'revoked' : expired ? 'expired' : undefined;
  return {
    ...(renewalOf ? { renewalOf } : {}),
    ...(ended ? { endedIdentity: { certificateHash: bound, ended } } : {}),
  };
}
