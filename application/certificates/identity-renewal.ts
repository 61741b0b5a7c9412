import { IDENTITY_RENEWAL_ACTOR, type CertificateLifecycle } from '../../projections/certificate-lifecycle.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { EnqueueOptions, EnqueueOutcome } from '../mdm/command-queue-service.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { CertificateRevocations } from './certificate-revocations.js';
import type { RenewalChallenges } from './renewal-challenges.js';

const COMMAND_NAMESPACE = 'b7a4c2e9-1f3d-4a6b-8c5e-0d9f7e2a1b36';
const DAY_MS = 24 * 3600_000;

/** The InstallProfile command renewing this certificate: one per certificate, whatever restarts. */
export const renewalCommandUuid = (certificateHash: string): string => uuidV5(COMMAND_NAMESPACE, certificateHash).toUpperCase();

export interface IdentityRenewalDeps {
  readonly lifecycle: CertificateLifecycle;
  readonly revocations: CertificateRevocations;
  readonly challenges: RenewalChallenges;
  /**
   * The enrollment profile regenerated for one device (same payload identifiers as at enrollment,
   * Subject CN=<UDID>, this challenge), ready to install. Undefined when none can be built (no push
   * topic configured): renewal is then off.
   */
  readonly profile?: (udid: string, challenge: string) => Buffer;
  readonly queue: { enqueue(udids: readonly string[], input: unknown, options: EnqueueOptions): Promise<EnqueueOutcome[]> };
  readonly clock: Clock;
  readonly logger: Logger;
  /** Renew certificates expiring within this many days; 0 turns renewal off. */
  readonly windowDays: number;
}

export interface RenewalRun {
  /** Devices an InstallProfile was queued for. */
  readonly queued: string[];
  /** Certificates revoked by the sweep (left their device without being revoked). */
  readonly revoked: string[];
}

/**
 * The hourly certificate job. First it revokes certificates that left their device without being
 * revoked (a crash between the two steps, or history from before revocation existed); then it
 * queues, once per certificate, an InstallProfile with a regenerated enrollment profile for every
 * enrolled device whose identity expires within the window. Apple's clients renew that way: they
 * enroll a new certificate through SCEP with the profile's one-time challenge and authenticate
 * with it, which rebinds the device and keeps its queue and inventory.
 */
export class IdentityRenewal {
  private readonly queuedHere = new Set<string>();

  constructor(private readonly deps: IdentityRenewalDeps) {}

  async run(): Promise<RenewalRun> {
    return { revoked: await this.sweep(), queued: await this.renew() };
  }

  private async sweep(): Promise<string[]> {
    const revoked: string[] = [];
    for (const pending of this.deps.lifecycle.pendingRevocations()) {
      if (this.deps.revocations.isRevoked(pending.sha256)) continue;
      try {
        const outcome = await this.deps.revocations.revoke({ sha256: pending.sha256, reason: pending.reason, actor: { kind: 'system', id: 'certificate-lifecycle' } });
        if (outcome === 'revoked') revoked.push(pending.sha256);
      } catch (error) {
        this.deps.logger.warn('revoking a released certificate failed; retried at the next run', { sha256: pending.sha256, udid: pending.udid, error: (error as Error).message });
      }
    }
    if (revoked.length > 0) this.deps.logger.info('released certificates revoked', { count: revoked.length });
    return revoked;
  }

  private async renew(): Promise<string[]> {
    const { profile, windowDays } = this.deps;
    if (!profile || windowDays <= 0) return [];
    const now = this.deps.clock.now();
    const queued: string[] = [];
    for (const due of this.deps.lifecycle.dueForRenewal(now, windowDays * DAY_MS)) {
      if (this.queuedHere.has(due.certificateHash)) continue;
      try {
        const notAfter = new Date(due.notAfter);
        // The challenge lives as long as the certificate it renews: the device may be offline for days.
        const challenge = await this.deps.challenges.issue({ udid: due.udid, renewalOf: due.certificateHash, expiresAt: notAfter });
        const payload = profile(due.udid, challenge).toString('base64');
        const [outcome] = await this.deps.queue.enqueue([due.udid], { requestType: 'InstallProfile', Payload: payload }, {
          commandUuid: renewalCommandUuid(due.certificateHash),
          ttlMs: notAfter.getTime() - now.getTime(),
          actor: { kind: 'system', id: IDENTITY_RENEWAL_ACTOR.slice('system:'.length) },
        });
        if (outcome?.outcome === 'refused') {
          this.deps.logger.warn('identity renewal not queued', { udid: due.udid, code: outcome.code, detail: outcome.detail });
          continue;
        }
        this.queuedHere.add(due.certificateHash);
        if (outcome?.outcome === 'queued') queued.push(due.udid);
      } catch (error) {
        this.deps.logger.warn('identity renewal failed; retried at the next run', { udid: due.udid, error: (error as Error).message });
      }
    }
    if (queued.length > 0) this.deps.logger.info('identity renewals queued', { count: queued.length, windowDays });
    return queued;
  }
}
