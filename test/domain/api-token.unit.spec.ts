import { expect } from 'chai';
import { apiTokenDecider, apiTokenUsable, type ApiTokenCommand, type ApiTokenEvent } from '../../domain/api-token/api-token.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const ID = 'a'.repeat(32);
const HASH = 'b'.repeat(64);
const spec = deciderSpec(apiTokenDecider);
const create = (over: Partial<Extract<ApiTokenCommand, { type: 'CreateApiToken' }>> = {}): ApiTokenCommand => ({ type: 'CreateApiToken', tokenId: ID, role: 'operator', name: 'ci', secretHash: HASH, createdBy: 'admin:alice', at: AT, ...over } as ApiTokenCommand);
const created: ApiTokenEvent = { type: 'ApiTokenCreated', data: { tokenId: ID, role: 'operator', name: 'ci', secretHash: HASH, createdBy: 'admin:alice', createdAt: AT } };
const revoked: ApiTokenEvent = { type: 'ApiTokenRevoked', data: { tokenId: ID, revokedBy: 'admin:bob', revokedAt: AT } };

describe('api token decider', () => {
  it('creates a token with its role and the hash of its secret', () => spec.given([]).when(create()).then([created]));
  it('a user token carries its username', () => spec.given([]).when(create({ role: 'user', username: 'carol' })).then([{ type: 'ApiTokenCreated', data: { ...created.data, role: 'user', username: 'carol' } } as ApiTokenEvent]));
  it('refuses an unknown role', () => spec.given([]).when(create({ role: 'root' as never })).thenThrows('invalid-role'));
  it('refuses a user token without a username, and a username on another role', () => {
    spec.given([]).when(create({ role: 'user' })).thenThrows('invalid-token');
    spec.given([]).when(create({ role: 'auditor', username: 'carol' })).thenThrows('invalid-token');
  });
  it('refuses an empty name, a malformed hash, an expiry not after creation', () => {
    spec.given([]).when(create({ name: '' })).thenThrows('invalid-token');
    spec.given([]).when(create({ secretHash: 'secret' })).thenThrows('invalid-token');
    spec.given([]).when(create({ expiresAt: AT })).thenThrows('invalid-token');
  });
  it('a re-sent create changes nothing; another secret under the same id is refused', () => {
    spec.given([created]).when(create()).thenNothing();
    spec.given([created]).when(create({ secretHash: 'c'.repeat(64) })).thenThrows('token-exists');
  });
  it('revokes once; an unknown token cannot be revoked', () => {
    spec.given([created]).when({ type: 'RevokeApiToken', tokenId: ID, revokedBy: 'admin:bob', at: AT }).then([revoked]);
    spec.given([created, revoked]).when({ type: 'RevokeApiToken', tokenId: ID, revokedBy: 'admin:bob', at: AT }).thenNothing();
    spec.given([]).when({ type: 'RevokeApiToken', tokenId: ID, revokedBy: 'admin:bob', at: AT }).thenThrows('unknown-token');
  });
  it('is usable until revoked or expired', () => {
    const fold = (events: ApiTokenEvent[]) => events.reduce(apiTokenDecider.evolve, apiTokenDecider.initialState());
    expect(apiTokenUsable(fold([]), AT)).to.equal(false);
    expect(apiTokenUsable(fold([created]), AT)).to.equal(true);
    expect(apiTokenUsable(fold([created, revoked]), AT)).to.equal(false);
    const expiring = fold([{ type: 'ApiTokenCreated', data: { ...created.data, expiresAt: '2026-02-01T00:00:00.000Z' } }]);
    expect(apiTokenUsable(expiring, '2026-01-31T23:59:59.999Z')).to.equal(true);
    expect(apiTokenUsable(expiring, '2026-02-01T00:00:00.000Z')).to.equal(false);
  });
});
