import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import { ConcurrencyError, type Actor, type EventStore } from '../ports/event-store.js';

const NAMESPACE = '6a2d4f1e-8b3c-4e5a-9f70-2c1b8d6e4a93';

export const revocationRequestStreamId = (sha256: string): string => `certificate-revocation-request-${sha256}`;

export type CertificateRevocationRequested = {
  readonly type: 'CertificateRevocationRequested';
  readonly data: { readonly sha256: string; readonly reason: string; readonly requestedBy: string; readonly requestedAt: string };
};

/**
 * The record that a certificate is to be revoked, and why: kept once per certificate, so asking
 * again (a repeated rejection) changes nothing.
 */
export class RevocationRequests {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async request(sha256: string, reason: string, actor: Actor): Promise<void> {
    if ((await this.store.readStream(revocationRequestStreamId(sha256), { maxCount: 1 })).length > 0) return;
    const requestedAt = this.clock.now().toISOString();
    const event: CertificateRevocationRequested = { type: 'CertificateRevocationRequested', data: { sha256, reason, requestedBy: `${actor.kind}:${actor.id}`, requestedAt } };
    try {
      await this.store.append(revocationRequestStreamId(sha256), [{ eventId: uuidV5(NAMESPACE, sha256), type: event.type, data: event.data, metadata: { actor, occurredAt: requestedAt, version: 1 } }], 'no-stream');
    } catch (error) {
      // Another process asked at the same moment: once is enough.
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
}
