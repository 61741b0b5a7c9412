import { CertificateRevocations } from '../../application/certificates/certificate-revocations.js';
import { Quarantine } from '../../application/enrollment/quarantine.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Actor, EventStore } from '../../application/ports/event-store.js';

/**
 * Approvals and rejections as the CLI makes them. A rejected device's certificate is revoked
 * (CertificateRevoked, reason enrollment-rejected): the running server reads the revocation within
 * seconds and lists it in the CRL.
 */
export function quarantineDecisions(store: EventStore, clock: Clock, actor: Actor): Quarantine {
  const revocations = new CertificateRevocations(store, clock);
  return new Quarantine(store, clock, async (sha256, reason) => {
    await revocations.revoke({ sha256, reason, actor });
  });
}
