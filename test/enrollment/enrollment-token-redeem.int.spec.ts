import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { handleCommand } from '../../application/command-handling.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { enrollmentTokenDecider, enrollmentTokenStreamId } from '../../domain/enrollment/enrollment-token.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { ManualTime } from '../apns/manual-time.js';
import { tempDir } from '../support/temp-dir.js';

const admin = { kind: 'admin', id: 'alice' } as const;
const HOUR = 3_600_000;

/** A link that can no longer enroll a device leaves nothing behind however often it is posted. */
describe('enrollment token redemption', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let time: ManualTime;
  let tokens: EnrollmentTokens;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    time = new ManualTime(Date.UTC(2026, 2, 1, 9, 0, 0));
    tokens = new EnrollmentTokens(store, time);
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const count = async () => (await store.readAll({ maxCount: 100_000 })).length;
  async function nothingAppendedBy(redeem: () => Promise<unknown>): Promise<void> {
    const before = await count();
    for (let i = 0; i < 3; i++) expect(await redeem()).to.equal(undefined);
    expect(await count()).to.equal(before);
  }

  it('a used-up token with the right secret issues no challenge', async () => {
    const { token } = await tokens.create({ maxUses: 2, actor: admin });
    for (let i = 0; i < 2; i++) expect(await tokens.redeem(token)).to.have.property('challenge');
    await nothingAppendedBy(() => tokens.redeem(token));
  });

  it('an expired or revoked token with the right secret issues no challenge; a wrong secret neither', async () => {
    const expiring = await tokens.create({ ttlMs: HOUR, actor: admin });
    const revoked = await tokens.create({ actor: admin });
    await handleCommand(store, enrollmentTokenDecider, enrollmentTokenStreamId(revoked.tokenId), { commandId: randomUUID(), command: { type: 'RevokeEnrollmentToken', tokenId: revoked.tokenId, revokedBy: 'admin:alice', at: time.now().toISOString() }, actor: admin, occurredAt: time.now().toISOString() });
    await nothingAppendedBy(() => tokens.redeem(revoked.token));
    await nothingAppendedBy(() => tokens.redeem(`${revoked.tokenId}.${'A'.repeat(43)}`));
    await time.advance(HOUR);
    await nothingAppendedBy(() => tokens.redeem(expiring.token));
  });

  it('the last use taken by two redemptions at once goes to one of them', async () => {
    const { token } = await tokens.create({ actor: admin });
    const both = await Promise.all([tokens.redeem(token), tokens.redeem(token)]);
    expect(both.filter((e) => e !== undefined)).to.have.length(1);
  });
});
