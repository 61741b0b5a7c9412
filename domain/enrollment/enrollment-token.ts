import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * An enrollment token an admin hands out (a link): one-time or multi-use, expiring, optionally bound
 * to a user and a device group. Only a hash of its secret is recorded.
 */
export type EnrollmentTokenCommand =
  | {
      readonly type: 'CreateEnrollmentToken';
      readonly tokenId: string;
      readonly secretHash: string;
      readonly maxUses: number;
      readonly expiresAt: string;
      readonly user?: string;
      readonly group?: string;
      readonly createdBy: string;
      readonly at: string;
    }
  | { readonly type: 'RedeemEnrollmentToken'; readonly tokenId: string; readonly enrollmentId: string; readonly at: string }
  | { readonly type: 'RevokeEnrollmentToken'; readonly tokenId: string; readonly revokedBy: string; readonly at: string };

export type EnrollmentTokenEvent =
  | {
      readonly type: 'EnrollmentTokenCreated';
      readonly data: { readonly tokenId: string; readonly secretHash: string; readonly maxUses: number; readonly expiresAt: string; readonly user?: string; readonly group?: string; readonly createdBy: string; readonly createdAt: string };
    }
  | { readonly type: 'EnrollmentTokenRedeemed'; readonly data: { readonly tokenId: string; readonly enrollmentId: string; readonly use: number; readonly redeemedAt: string } }
  | { readonly type: 'EnrollmentTokenRevoked'; readonly data: { readonly tokenId: string; readonly revokedBy: string; readonly revokedAt: string } };

export interface EnrollmentTokenState {
  readonly created?: Extract<EnrollmentTokenEvent, { type: 'EnrollmentTokenCreated' }>['data'];
  readonly uses: number;
  readonly revoked: boolean;
}

export const enrollmentTokenStreamId = (tokenId: string): string => `enrollment-token-${tokenId}`;

/** Whether the token can enroll one more device at `at`: known, not revoked, not expired, not used up. */
export function tokenRedeemable(s: EnrollmentTokenState, at: string): boolean {
  return s.created !== undefined && !s.revoked && s.created.expiresAt > at && s.uses < s.created.maxUses;
}

export const enrollmentTokenDecider: Decider<EnrollmentTokenCommand, EnrollmentTokenEvent, EnrollmentTokenState> = {
  initialState: () => ({ uses: 0, revoked: false }),
  decide: (c, s) => {
    switch (c.type) {
      case 'CreateEnrollmentToken':
        if (s.created) return [];
        if (!Number.isInteger(c.maxUses) || c.maxUses < 1 || c.maxUses > 100_000) throw new DomainError('invalid-token', 'uses must be a whole number from 1 to 100,000');
        if (!(c.expiresAt > c.at)) throw new DomainError('invalid-token', 'the token must expire after it is created');
        return [{ type: 'EnrollmentTokenCreated', data: { tokenId: c.tokenId, secretHash: c.secretHash, maxUses: c.maxUses, expiresAt: c.expiresAt, ...(c.user ? { user: c.user } : {}), ...(c.group ? { group: c.group } : {}), createdBy: c.createdBy, createdAt: c.at } }];
      case 'RedeemEnrollmentToken':
        // One answer for every kind of unusable token: a caller learns nothing about which it was.
        if (!tokenRedeemable(s, c.at)) throw new DomainError('token-unusable', 'the enrollment token is unknown, used up, expired or revoked');
        return [{ type: 'EnrollmentTokenRedeemed', data: { tokenId: c.tokenId, enrollmentId: c.enrollmentId, use: s.uses + 1, redeemedAt: c.at } }];
      case 'RevokeEnrollmentToken':
        if (!s.created) throw new DomainError('unknown-token', `no enrollment token ${c.tokenId}`);
        return s.revoked ? [] : [{ type: 'EnrollmentTokenRevoked', data: { tokenId: c.tokenId, revokedBy: c.revokedBy, revokedAt: c.at } }];
    }
  },
  evolve: (s, e) => {
    switch (e.type) {
      case 'EnrollmentTokenCreated':
        return { ...s, created: e.data };
      case 'EnrollmentTokenRedeemed':
        return { ...s, uses: e.data.use };
      case 'EnrollmentTokenRevoked':
        return { ...s, revoked: true };
    }
  },
};
