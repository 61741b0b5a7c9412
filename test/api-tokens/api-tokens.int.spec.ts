import { expect } from 'chai';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { tempDir } from '../support/temp-dir.js';

const admin = { kind: 'admin' as const, id: 'alice' };

describe('ApiTokens (SQLite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let time: Date;
  const clock = { now: () => time };
  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    time = new Date('2026-01-01T00:00:00.000Z');
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('authenticates a created token as its role; the stored events never hold the secret', async () => {
    const tokens = new ApiTokens(store, clock);
    const { tokenId, token } = await tokens.create({ role: 'user', name: 'carol laptop', username: 'carol' }, admin);
    expect(token).to.match(/^mdm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`mdm_${tokenId}_`)).to.equal(true);
    expect(await tokens.authenticate(token)).to.deep.equal({ tokenId, role: 'user', name: 'carol laptop', username: 'carol' });
    // A second instance (another process) reads the stream.
    expect(await new ApiTokens(store, clock).authenticate(token)).to.deep.include({ tokenId, role: 'user' });
    const secret = token.slice(`mdm_${tokenId}_`.length);
    const events = await store.readAll();
    expect(events.map((e) => e.type)).to.deep.equal(['ApiTokenCreated']);
    for (const e of events) {
      const stored = JSON.stringify(e);
      expect(stored).not.to.contain(secret);
      expect(stored).not.to.contain(Buffer.from(secret, 'base64url').toString('hex'));
      expect(stored).not.to.contain(Buffer.from(secret, 'base64url').toString('base64'));
    }
    expect(events[0]!.metadata.actor).to.deep.equal(admin);
  });

  it('refuses a wrong secret, a malformed token and an unknown id', async () => {
    const tokens = new ApiTokens(store, clock);
    const { tokenId, token } = await tokens.create({ role: 'operator', name: 'ci' }, admin);
    const wrong = `mdm_${tokenId}_${'A'.repeat(43)}`;
    expect(await tokens.authenticate(wrong)).to.equal(undefined);
    expect(await tokens.authenticate(token)).to.not.equal(undefined);
    // Cached now: a wrong secret is still refused.
    expect(await tokens.authenticate(wrong)).to.equal(undefined);
    for (const bad of ['', 'mdm_', token.slice(0, -1), `${token}x`, token.replace('mdm_', 'mdx_'), `Bearer ${token}`, `mdm_${'f'.repeat(32)}_${'A'.repeat(43)}`]) {
      expect(await tokens.authenticate(bad), bad).to.equal(undefined);
    }
  });

  it('a revocation takes effect at once on the instance that revoked, within the cache window on others', async () => {
    const tokens = new ApiTokens(store, clock);
    const other = new ApiTokens(store, clock);
    const { tokenId, token } = await tokens.create({ role: 'auditor', name: 'audit' }, admin);
    expect(await tokens.authenticate(token)).to.not.equal(undefined);
    expect(await other.authenticate(token)).to.not.equal(undefined);
    expect(await tokens.revoke(tokenId, admin)).to.equal(true);
    expect(await tokens.revoke(tokenId, admin)).to.equal(false);
    expect(await tokens.authenticate(token)).to.equal(undefined);
    // The other instance trusts its cache for up to 10 s, then reads the revocation.
    expect(await other.authenticate(token)).to.not.equal(undefined);
    time = new Date(time.getTime() + 10_001);
    expect(await other.authenticate(token)).to.equal(undefined);
    expect(await new ApiTokens(store, clock).authenticate(token)).to.equal(undefined);
  });

  it('refuses an expired token, even one cached', async () => {
    const tokens = new ApiTokens(store, clock);
    const { token, expiresAt } = await tokens.create({ role: 'gateway', name: 'vpn', expiresInDays: 1 }, admin);
    expect(expiresAt).to.equal('2026-01-02T00:00:00.000Z');
    time = new Date('2026-01-01T23:59:55.000Z');
    expect(await tokens.authenticate(token)).to.not.equal(undefined);
    time = new Date('2026-01-02T00:00:00.000Z');
    expect(await tokens.authenticate(token)).to.equal(undefined);
  });

  it('lists tokens without secrets or hashes, revoked ones marked', async () => {
    const tokens = new ApiTokens(store, clock);
    const a = await tokens.create({ role: 'operator', name: 'ci' }, admin);
    const b = await tokens.create({ role: 'user', name: 'phone', username: 'dave' }, admin);
    await tokens.revoke(a.tokenId, admin);
    const list = await tokens.list();
    expect(list.map((t) => t.tokenId)).to.deep.equal([a.tokenId, b.tokenId]);
    expect(list[0]).to.deep.include({ role: 'operator', name: 'ci', revokedBy: 'admin:alice', createdBy: 'admin:alice' });
    expect(list[1]).to.deep.include({ role: 'user', username: 'dave' });
    expect(list[1]).not.to.have.property('revokedAt');
    expect(JSON.stringify(list)).not.to.match(/secret|[0-9a-f]{64}/i);
  });

  it('refuses invalid requests', async () => {
    const tokens = new ApiTokens(store, clock);
    const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
    expect(await refusal(tokens.create({ role: 'root' as never, name: 'x' }, admin))).to.match(/role/);
    expect(await refusal(tokens.create({ role: 'user', name: 'x' }, admin))).to.match(/username/);
    expect(await refusal(tokens.create({ role: 'admin', name: 'x', expiresInDays: 0 }, admin))).to.match(/days/);
    expect(await refusal(tokens.revoke('nope', admin))).to.match(/no api token/);
    expect(await store.readAll()).to.deep.equal([]);
  });
});
