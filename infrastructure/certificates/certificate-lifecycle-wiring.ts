import { CertificateRevocations } from '../../application/certificates/certificate-revocations.js';
import type { IdentityRenewal, RenewalRun } from '../../application/certificates/identity-renewal.js';
import { RenewalChallenges } from '../../application/certificates/renewal-challenges.js';
import { RevocationList } from '../../application/certificates/revocation-list.js';
import type { Clock } from '../../application/ports/clock.js';
import type { CrlSigner } from '../../application/ports/crl-signer.js';
import type { EventStore, Subscription } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import { CERTIFICATE_LIFECYCLE_EVENTS, CertificateLifecycle } from '../../projections/certificate-lifecycle.js';

/** How often revocations made by other processes (the CLI, other servers) are looked for. */
export const REVOCATION_POLL_MS = 2_000;
/** How long start-up waits for the first read of the revocations before going on without them. */
const START_UP_WAIT_MS = 2_000;

export interface CertificateWiring {
  readonly revocations: CertificateRevocations;
  readonly revocationList: RevocationList;
  readonly renewalChallenges: RenewalChallenges;
  readonly lifecycle: CertificateLifecycle;
  /** Runs the certificate job once caught up and then every `intervalMs`; `runNow` runs it again after any run under way. */
  schedule(renewal: IdentityRenewal, intervalMs: number): { runNow(): Promise<RenewalRun> };
  close(): Promise<void>;
}

/**
 * The certificate lifecycle's moving parts. The revocation set is read whole before the listeners
 * open, when the store answers (a revoked certificate is refused from the first request), and
 * polled afterwards; the
 * lifecycle index follows every event through a subscription from the beginning of the store, so
 * it is rebuilt at each start and the job waits for that before its first run.
 */
export async function wireCertificates(deps: { store: EventStore; clock: Clock; logger: Logger; crlSigner: CrlSigner }): Promise<CertificateWiring> {
  const { store, clock, logger } = deps;
  const revocations = new CertificateRevocations(store, clock);
  // A server whose store does not answer yet still starts (and says so at /readyz); device requests
  // wait for the revocations meanwhile (see deviceIdentity's revocationsKnown).
  const first = revocations.refresh().catch((error: unknown) => logger.warn('revocations not read yet; retrying', { error: (error as Error).message }));
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([first, new Promise<void>((resolve) => (waited = setTimeout(resolve, START_UP_WAIT_MS)))]);
  clearTimeout(waited);
  const poll = setInterval(() => {
    revocations.refresh().catch((error: unknown) => logger.warn('reading revocations failed; retrying', { error: (error as Error).message }));
  }, REVOCATION_POLL_MS);
  poll.unref();

  const lifecycle = new CertificateLifecycle();
  const subscription: Subscription = store.subscribeToAll((event) => {
    if (!CERTIFICATE_LIFECYCLE_EVENTS.has(event.type)) return;
    try {
      lifecycle.apply(event);
    } catch (error) {
      // One odd event must not end the subscription (and with it, renewal).
      logger.error('certificate lifecycle could not apply an event', { streamId: event.streamId, revision: event.revision, error: (error as Error).message });
    }
  }, { onError: (error) => logger.error('certificate lifecycle subscription ended', { error: error.message }) });

  const timers: NodeJS.Timeout[] = [];
  return {
    revocations,
    revocationList: new RevocationList(revocations, deps.crlSigner, clock),
    renewalChallenges: new RenewalChallenges(store, clock, (sha256) => revocations.isRevoked(sha256)),
    lifecycle,
    schedule(renewal, intervalMs) {
      // Runs never overlap: each starts from what the previous one recorded.
      let tail: Promise<unknown> = subscription.caughtUp.catch(() => undefined);
      let busy = false;
      const runNow = (): Promise<RenewalRun> => {
        const run = tail.then(async () => {
          busy = true;
          try {
            return await renewal.run();
          } finally {
            busy = false;
          }
        });
        tail = run.catch(() => undefined);
        return run;
      };
      const runLogged = () => {
        if (!busy) runNow().catch((error: unknown) => logger.error('certificate job failed', { error: (error as Error).message }));
      };
      // Once at start-up too: a server restarted more often than the interval would never run it.
      runLogged();
      const timer = setInterval(runLogged, intervalMs);
      timer.unref();
      timers.push(timer);
      return { runNow };
    },
    async close() {
      clearInterval(poll);
      for (const timer of timers) clearInterval(timer);
      await subscription.close();
    },
  };
}
