import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * A one-time SCEP challenge bound to an enrollment: one stream per challenge, named by a hash of it
 * (`scep-challenge-<sha256>`), so that consuming it once is guaranteed by the expected revision
 * even with several server processes.
 */
export type ScepChallengeCommand =
  | { readonly type: 'IssueScepChallenge'; readonly challengeHash: string; readonly enrollmentId: string; readonly expiresAt: string; readonly at: string }
  | { readonly type: 'ConsumeScepChallenge'; readonly challengeHash: string; readonly at: string };

export type ScepChallengeEvent =
  | { readonly type: 'ScepChallengeIssued'; readonly data: { readonly challengeHash: string; readonly enrollmentId: string; readonly expiresAt: string; readonly issuedAt: string } }
  | { readonly type: 'ScepChallengeConsumed'; readonly data: { readonly challengeHash: string; readonly enrollmentId: string; readonly consumedAt: string } };

export interface ScepChallengeState {
  readonly issued?: Extract<ScepChallengeEvent, { type: 'ScepChallengeIssued' }>['data'];
  readonly consumed: boolean;
}

export const scepChallengeStreamId = (challengeHash: string): string => `scep-challenge-${challengeHash}`;

export const scepChallengeDecider: Decider<ScepChallengeCommand, ScepChallengeEvent, ScepChallengeState> = {
  initialState: () => ({ consumed: false }),
  decide: (c, s) => {
    if (c.type === 'IssueScepChallenge') {
      return s.issued ? [] : [{ type: 'ScepChallengeIssued', data: { challengeHash: c.challengeHash, enrollmentId: c.enrollmentId, expiresAt: c.expiresAt, issuedAt: c.at } }];
    }
    if (!s.issued || s.consumed || s.issued.expiresAt <= c.at) throw new DomainError('challenge-unusable', 'the SCEP challenge is unknown, used or expired');
    return [{ type: 'ScepChallengeConsumed', data: { challengeHash: c.challengeHash, enrollmentId: s.issued.enrollmentId, consumedAt: c.at } }];
  },
  evolve: (s, e) => (e.type === 'ScepChallengeIssued' ? { ...s, issued: e.data } : { ...s, consumed: true }),
};
