import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * The challenge of an OTA Profile Service payload (phase 1). The signed-in user's browser hands it
 * to the device, and the device returns it in its signed answer (phase 2): it is what binds the
 * user who signed in to the device that answers, since the device signs with Apple's certificate,
 * not ours. One stream per challenge, named by its hash (`profile-service-challenge-<sha256>`), so
 * that answering with it once is guaranteed by the expected revision even with several processes.
 */
export type ProfileServiceChallengeCommand =
  | { readonly type: 'IssueProfileServiceChallenge'; readonly challengeHash: string; readonly enrollmentId: string; readonly expiresAt: string; readonly at: string }
  | { readonly type: 'RedeemProfileServiceChallenge'; readonly challengeHash: string; readonly enrollmentId: string; readonly udid: string; readonly at: string };

export type ProfileServiceChallengeEvent =
  | { readonly type: 'ProfileServiceChallengeIssued'; readonly data: { readonly challengeHash: string; readonly enrollmentId: string; readonly expiresAt: string; readonly issuedAt: string } }
  | { readonly type: 'ProfileServiceChallengeRedeemed'; readonly data: { readonly challengeHash: string; readonly enrollmentId: string; readonly udid: string; readonly redeemedAt: string } };

export interface ProfileServiceChallengeState {
  readonly issued?: Extract<ProfileServiceChallengeEvent, { type: 'ProfileServiceChallengeIssued' }>['data'];
  readonly redeemed?: Extract<ProfileServiceChallengeEvent, { type: 'ProfileServiceChallengeRedeemed' }>['data'];
}

export const profileServiceChallengeStreamId = (challengeHash: string): string => `profile-service-challenge-${challengeHash}`;

/** Whether the challenge may be redeemed now for this enrollment (the same rule `decide` applies). */
export function isRedeemable(s: ProfileServiceChallengeState, enrollmentId: string, at: string): boolean {
  return s.issued !== undefined && s.redeemed === undefined && s.issued.enrollmentId === enrollmentId && s.issued.expiresAt > at;
}

export const profileServiceChallengeDecider: Decider<ProfileServiceChallengeCommand, ProfileServiceChallengeEvent, ProfileServiceChallengeState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    if (c.type === 'IssueProfileServiceChallenge') {
      return s.issued ? [] : [{ type: 'ProfileServiceChallengeIssued', data: { challengeHash: c.challengeHash, enrollmentId: c.enrollmentId, expiresAt: c.expiresAt, issuedAt: c.at } }];
    }
    // One answer for every unusable challenge: the caller learns nothing about which it was.
    if (!isRedeemable(s, c.enrollmentId, c.at)) throw new DomainError('challenge-unusable', 'the profile service challenge is unknown, used, expired or for another enrollment');
    return [{ type: 'ProfileServiceChallengeRedeemed', data: { challengeHash: c.challengeHash, enrollmentId: c.enrollmentId, udid: c.udid, redeemedAt: c.at } }];
  },
  evolve: (s, e) => (e.type === 'ProfileServiceChallengeIssued' ? { ...s, issued: e.data } : { ...s, redeemed: e.data }),
};
