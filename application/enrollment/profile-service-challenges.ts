import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/shared/domain-error.js';
import {
  isRedeemable,
  profileServiceChallengeDecider,
  profileServiceChallengeStreamId,
  type ProfileServiceChallengeEvent,
  type ProfileServiceChallengeState,
} from '../../domain/enrollment/profile-service-challenge.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import { CHALLENGE_TTL_MS } from './enrollments.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const ACTOR = { kind: 'system', id: 'ota' } as const;

/** The OTA Profile Service challenges: only their hashes are recorded. */
export class ProfileServiceChallenges {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async issue(enrollmentId: string): Promise<string> {
    const now = this.clock.now();
    const challenge = randomBytes(24).toString('base64url');
    const challengeHash = sha256(challenge);
    await handleCommand(this.store, profileServiceChallengeDecider, profileServiceChallengeStreamId(challengeHash), {
      commandId: randomUUID(),
      command: { type: 'IssueProfileServiceChallenge', challengeHash, enrollmentId, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(), at: now.toISOString() },
      actor: ACTOR,
      occurredAt: now.toISOString(),
    });
    return challenge;
  }

  /** Whether `challenge` may be redeemed now for this enrollment; spends nothing. */
  async redeemable(challenge: string, enrollmentId: string): Promise<boolean> {
    if (!plausible(challenge)) return false;
    return isRedeemable(await this.state(challenge), enrollmentId, this.clock.now().toISOString());
  }

  /** Spends the challenge for the device that answered with it; false when it is not (or no longer) usable. */
  async redeem(challenge: string, enrollmentId: string, udid: string): Promise<boolean> {
    if (!plausible(challenge)) return false;
    const at = this.clock.now().toISOString();
    const challengeHash = sha256(challenge);
    try {
      const result = await handleCommand(this.store, profileServiceChallengeDecider, profileServiceChallengeStreamId(challengeHash), {
        commandId: randomUUID(), command: { type: 'RedeemProfileServiceChallenge', challengeHash, enrollmentId, udid, at }, actor: ACTOR, occurredAt: at,
      });
      return result.events.length > 0;
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  }

  /** Whether this challenge is the one this enrollment's device redeemed (a device repeats it in phase 3). */
  async redeemedBy(challenge: string, enrollmentId: string, udid: string): Promise<boolean> {
    if (!plausible(challenge)) return false;
    const { redeemed } = await this.state(challenge);
    return redeemed !== undefined && redeemed.enrollmentId === enrollmentId && redeemed.udid === udid;
  }

  private async state(challenge: string): Promise<ProfileServiceChallengeState> {
    const events = await this.store.readStream(profileServiceChallengeStreamId(sha256(challenge)));
    return events.reduce((s, e) => profileServiceChallengeDecider.evolve(s, { type: e.type, data: e.data } as ProfileServiceChallengeEvent), profileServiceChallengeDecider.initialState());
  }
}

const plausible = (challenge: string): boolean => typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256;
