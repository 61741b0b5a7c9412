import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * A bearer token for the admin API. It carries one role; a user token also names the person whose
 * devices it may see. Only a SHA-256 hash of its secret is recorded.
 */
export const API_ROLES = ['admin', 'operator', 'auditor', 'gateway', 'user'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const isApiRole = (value: unknown): value is ApiRole => typeof value === 'string' && (API_ROLES as readonly string[]).includes(value);

export type ApiTokenCommand =
  | {
      readonly type: 'CreateApiToken';
      readonly tokenId: string;
      readonly role: ApiRole;
      readonly name: string;
      readonly username?: string;
      readonly secretHash: string;
      readonly createdBy: string;
      readonly expiresAt?: string;
      readonly at: string;
    }
  | { readonly type: 'RevokeApiToken'; readonly tokenId: string; readonly revokedBy: string; readonly at: string };

export type ApiTokenCreatedData = {
  readonly tokenId: string;
  readonly role: ApiRole;
  readonly name: string;
  readonly username?: string;
  readonly secretHash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
};

export type ApiTokenEvent =
  | { readonly type: 'ApiTokenCreated'; readonly data: ApiTokenCreatedData }
  | { readonly type: 'ApiTokenRevoked'; readonly data: { readonly tokenId: string; readonly revokedBy: string; readonly revokedAt: string } };

export interface ApiTokenState {
  readonly created?: ApiTokenCreatedData;
  readonly revoked?: { readonly revokedBy: string; readonly revokedAt: string };
}

export const apiTokenStreamId = (tokenId: string): string => `api-token-${tokenId}`;

const NAME = /^[\p{L}\p{N} ._@+:-]{1,128}$/u;
const HASH = /^[0-9a-f]{64}$/;

/** Whether the token may be used at `at`: created, not revoked, not expired. */
export function apiTokenUsable(s: ApiTokenState, at: string): boolean {
  return s.created !== undefined && s.revoked === undefined && (s.created.expiresAt === undefined || s.created.expiresAt > at);
}

function validateCreate(c: Extract<ApiTokenCommand, { type: 'CreateApiToken' }>): void {
  if (!isApiRole(c.role)) throw new DomainError('invalid-role', `role must be one of ${API_ROLES.join(', ')}`);
  if (!NAME.test(c.name)) throw new DomainError('invalid-token', 'the name takes 1-128 letters, digits, spaces and . _ @ + : -');
  if (!HASH.test(c.secretHash)) throw new DomainError('invalid-token', 'the secret hash must be 64 hex digits');
  // A user token without a user would see nobody's devices; any other role with one would suggest a limit it does not have.
  if (c.role === 'user' && (c.username === undefined || !NAME.test(c.username))) throw new DomainError('invalid-token', 'a user token needs a username (1-128 letters, digits, spaces and . _ @ + : -)');
  if (c.role !== 'user' && c.username !== undefined) throw new DomainError('invalid-token', 'only a user token carries a username');
  if (c.expiresAt !== undefined && !(c.expiresAt > c.at)) throw new DomainError('invalid-token', 'the token must expire after it is created');
}

export const apiTokenDecider: Decider<ApiTokenCommand, ApiTokenEvent, ApiTokenState> = {
  initialState: () => ({}),
  decide: (c, s) => {
    switch (c.type) {
      case 'CreateApiToken':
        // A token id is chosen at random once: an existing stream means a re-sent create, or a clash to refuse.
        if (s.created) {
          if (s.created.secretHash === c.secretHash) return [];
          throw new DomainError('token-exists', `api token ${c.tokenId} exists`);
        }
        validateCreate(c);
        return [{
          type: 'ApiTokenCreated',
          data: { tokenId: c.tokenId, role: c.role, name: c.name, ...(c.username !== undefined ? { username: c.username } : {}), secretHash: c.secretHash, createdBy: c.createdBy, createdAt: c.at, ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}) },
        }];
      case 'RevokeApiToken':
        if (!s.created) throw new DomainError('unknown-token', `no api token ${c.tokenId}`);
        return s.revoked ? [] : [{ type: 'ApiTokenRevoked', data: { tokenId: c.tokenId, revokedBy: c.revokedBy, revokedAt: c.at } }];
    }
  },
  evolve: (s, e) => {
    switch (e.type) {
      case 'ApiTokenCreated':
        return { ...s, created: e.data };
      case 'ApiTokenRevoked':
        return { ...s, revoked: { revokedBy: e.data.revokedBy, revokedAt: e.data.revokedAt } };
    }
  },
};
