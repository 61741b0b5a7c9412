import { Quarantine } from '../../application/enrollment/quarantine.js';
import { RevocationRequests } from '../../application/enrollment/revocation-requests.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Actor, EventStore } from '../../application/ports/event-store.js';

/**
 * Approvals and rejections as the CLI makes them. A rejected device's certificate is revoked by
 * recording the revocation request for it (CertificateRevocationRequested).
 */
export function quarantineDecisions(store: EventStore, clock: Clock, actor: Actor): Quarantine {
  const revocations = new RevocationRequests(store, clock);
  return new Quarantine(store, clock, (sha256, reason) => revocations.request(sha256, reason, actor));
}
