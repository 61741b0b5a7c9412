import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { renewalChallengeDecider, renewalChallengeStreamId, type RenewalChallengeEvent } from '../../domain/certificate/renewal-challenge.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { ScepChallengeVerdict, ScepChallenges, ScepCsrSubject } from '../ports/scep-challenges.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * One-time SCEP challenges that renew an enrolled device's identity. Each authorizes only
 * `CN=<UDID>` of its device, and only while the certificate it renews is not revoked (a device that
 * checked out meanwhile gets nothing). Only a hash of the challenge is recorded.
 */
export class RenewalChallenges implements ScepChallenges {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly isRevoked: (sha256: string) => boolean = () => false,
  ) {}

  /** A fresh challenge for `udid` renewing the certificate `renewalOf`, valid until `expiresAt`. */
  async issue(options: { udid: string; renewalOf: string; expiresAt: Date }): Promise<string> {
    const challenge = randomBytes(24).toString('base64url');
    const at = this.clock.now().toISOString();
    await handleCommand(this.store, renewalChallengeDecider, renewalChallengeStreamId(sha256(challenge)), {
      commandId: randomUUID(),
      command: { type: 'IssueRenewalChallenge', challengeHash: sha256(challenge), udid: options.udid, renewalOf: options.renewalOf, expiresAt: options.expiresAt.toISOString(), at },
      actor: { kind: 'system', id: 'identity-renewal' },
      occurredAt: at,
    });
    return challenge;
  }

  async verify(challenge: string, csrSubject: ScepCsrSubject = {}): Promise<ScepChallengeVerdict> {
    if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256) return { ok: false };
    const events = await this.store.readStream(renewalChallengeStreamId(sha256(challenge)));
    const state = events.reduce((s, e) => renewalChallengeDecider.evolve(s, { type: e.type, data: e.data } as RenewalChallengeEvent), renewalChallengeDecider.initialState());
    const issued = state.issued;
    if (!issued || state.consumed || issued.expiresAt <= this.clock.now().toISOString()) return { ok: false };
    if (this.isRevoked(issued.renewalOf)) return { ok: false };
    // (Without a subject, the caller only asks whose challenge this is, as a consume does.)
    if (csrSubject.commonName !== undefined && csrSubject.commonName !== issued.udid) return { ok: false };
    return { ok: true, renewal: { udid: issued.udid, renewalOf: issued.renewalOf } };
  }

  async consume(challenge: string): Promise<boolean> {
    const at = this.clock.now().toISOString();
    try {
      const result = await handleCommand(this.store, renewalChallengeDecider, renewalChallengeStreamId(sha256(challenge)), {
        commandId: randomUUID(), command: { type: 'ConsumeRenewalChallenge', challengeHash: sha256(challenge), at }, actor: { kind: 'system', id: 'scep' }, occurredAt: at,
      });
      return result.events.some((e) => e.type === 'RenewalChallengeConsumed');
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }
}
