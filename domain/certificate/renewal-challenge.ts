import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * A one-time SCEP challenge for renewing one enrolled device's identity: it only authorizes a
 * certificate whose subject CN is that device's UDID, and the certificate it gets is recorded as
 * the renewal of `renewalOf`. One stream per challenge, named by a hash of it
 * (`renewal-challenge-<sha256>`), so spending it once holds across server processes.
 */
export type RenewalChallengeCommand =
  | { readonly type: 'IssueRenewalChallenge'; readonly challengeHash: string; readonly udid: string; readonly renewalOf: string; readonly expiresAt: string; readonly at: string }
  | { readonly type: 'ConsumeRenewalChallenge'; readonly challengeHash: string; readonly at: string };

export type RenewalChallengeEvent =
  | {
      readonly type: 'RenewalChallengeIssued';
      readonly data: { readonly challengeHash: string; readonly udid: string; readonly renewalOf: string; readonly expiresAt: string; readonly issuedAt: string };
    }
  | { readonly type: 'RenewalChallengeConsumed'; readonly data: { readonly challengeHash: string; readonly udid: string; readonly consumedAt: string } };

export interface RenewalChallengeState {
  readonly issued?: Extract<RenewalChallengeEvent, { type: 'RenewalChallengeIssued' }>['data'];
  readonly consumed: boolean;
}

export const renewalChallengeStreamId = (challengeHash: string): string => `renewal-challenge-${challengeHash}`;

export const renewalChallengeDecider: Decider<RenewalChallengeCommand, RenewalChallengeEvent, RenewalChallengeState> = {
  initialState: () => ({ consumed: false }),
  decide: (c, s) => {
    if (c.type === 'IssueRenewalChallenge') {
      if (!(c.expiresAt > c.at)) throw new DomainError('invalid-challenge', 'a renewal challenge must expire after it is issued');
      return s.issued ? [] : [{ type: 'RenewalChallengeIssued', data: { challengeHash: c.challengeHash, udid: c.udid, renewalOf: c.renewalOf, expiresAt: c.expiresAt, issuedAt: c.at } }];
    }
    if (!s.issued || s.consumed || s.issued.expiresAt <= c.at) throw new DomainError('challenge-unusable', 'the renewal challenge is unknown, used or expired');
    return [{ type: 'RenewalChallengeConsumed', data: { challengeHash: c.challengeHash, udid: s.issued.udid, consumedAt: c.at } }];
  },
  evolve: (s, e) => (e.type === 'RenewalChallengeIssued' ? { ...s, issued: e.data } : { ...s, consumed: true }),
};
