import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { systemClock } from '../../application/ports/clock.js';
import type { SecretBox } from '../../application/ports/secret-box.js';
import { BuiltInUserDirectory } from '../../application/users/built-in-user-directory.js';
import { DEFAULT_SCRYPT, hashPassword, unmatchableHash, verifyPassword } from '../../application/users/password-hash.js';
import { passwordHashContext, Users } from '../../application/users/users.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { tempDir } from '../support/temp-dir.js';

const ADMIN = { kind: 'admin', id: 'test' } as const;
const FAST = { N: 2 ** 12, r: 8, p: 1 };

/** Counts what the directory opens: every attempt should open exactly one sealed hash. */
function countingBox(inner: SecretBox): SecretBox & { opens: number } {
  const box = {
    opens: 0,
    seal: (p: string | Buffer, c: string) => inner.seal(p, c),
    open: (s: string, c: string) => {
      box.opens++;
      return inner.open(s, c);
    },
    isSealed: (v: string) => inner.isSealed(v),
    fingerprint: (p: string | Buffer, c: string) => inner.fingerprint(p, c),
  };
  return box;
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('built-in user store', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let box: ReturnType<typeof countingBox>;
  let users: Users;
  let directory: BuiltInUserDirectory;

  before(async () => {
    dir = tempDir('mdm-users-');
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    box = countingBox(new AesGcmSecretBox(randomBytes(32)));
    users = new Users(store, box, systemClock);
    directory = new BuiltInUserDirectory(store, box);
    await users.add({ username: 'Alice', password: 'alice-password', displayName: 'Alice Example', group: 'Sales', actor: ADMIN });
    await users.add({ username: 'bob', password: 'alice-password', actor: ADMIN });
  });

  after(async () => {
    await store?.close();
    dir?.remove();
  });

  it('authenticates by canonical name and answers the user with display name and group', async () => {
    expect(await directory.authenticate('  ALICE ', 'alice-password')).to.deep.equal({ ok: true, user: { username: 'alice', displayName: 'Alice Example', group: 'Sales' } });
    expect(await directory.authenticate('alice', 'Alice-password')).to.deep.equal({ ok: false });
    expect(await directory.authenticate('nobody', 'alice-password')).to.deep.equal({ ok: false });
    expect(await directory.authenticate('alice', '')).to.deep.equal({ ok: false });
    expect(await directory.authenticate('no such name!', 'x')).to.deep.equal({ ok: false });
  });

  it('records only a sealed hash: nothing in the events helps guessing; inside, scrypt with its parameters and a per-user salt', async () => {
    const [alice] = await store.readStream('user-alice');
    const [bob] = await store.readStream('user-bob');
    const text = JSON.stringify([alice, bob]);
    expect(text).to.not.contain('alice-password');
    expect(text).to.not.contain('scrypt');
    const aliceSealed = (alice!.data as { passwordHash: string }).passwordHash;
    const bobSealed = (bob!.data as { passwordHash: string }).passwordHash;
    expect(box.isSealed(aliceSealed)).to.equal(true);
    const aliceHash = box.open(aliceSealed, passwordHashContext('alice')).toString();
    const bobHash = box.open(bobSealed, passwordHashContext('bob')).toString();
    expect(aliceHash).to.match(new RegExp(`^scrypt\\$1\\$${DEFAULT_SCRYPT.N}\\$${DEFAULT_SCRYPT.r}\\$${DEFAULT_SCRYPT.p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(bobHash.split('$')[5], 'same password, different salt').to.not.equal(aliceHash.split('$')[5]);
    expect(() => box.open(aliceSealed, passwordHashContext('bob')), 'sealed for alice only').to.throw();
  });

  it('a sealed hash copied into another user\'s stream opens for nobody', async () => {
    const [alice] = await store.readStream('user-alice');
    await store.append('user-mallory', [{ eventId: '6f1d2c3b-4a59-4e68-8f7a-0b1c2d3e4f50', type: 'UserCreated', data: { ...(alice!.data as object), username: 'mallory' } }], 'no-stream');
    expect(await directory.authenticate('mallory', 'alice-password')).to.deep.equal({ ok: false });
  });

  it('an unknown user, a wrong password and a disabled user take the same path: one sealed hash opened, one scrypt run', async () => {
    await users.add({ username: 'carol', password: 'carol-password', actor: ADMIN });
    await users.disable('carol', ADMIN);
    const opensFor = async (name: string, password: string) => {
      const before = box.opens;
      const started = process.hrtime.bigint();
      const result = await directory.authenticate(name, password);
      return { opens: box.opens - before, ms: Number(process.hrtime.bigint() - started) / 1e6, ok: result.ok };
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      const u = await opensFor(`ghost-${i}`, 'whatever-password');
      const w = await opensFor('alice', 'whatever-password');
      const d = await opensFor('carol', 'carol-password');
      expect([u.opens, w.opens, d.opens]).to.deep.equal([1, 1, 1]);
      expect([u.ok, w.ok, d.ok]).to.deep.equal([false, false, false]);
      unknown.push(u.ms);
      wrong.push(w.ms);
    }
    // scrypt dominates both; an unknown user that skipped it would answer many times faster.
    expect(median(unknown)).to.be.greaterThan(median(wrong) * 0.5);
    expect(median(wrong)).to.be.greaterThan(median(unknown) * 0.5);
    await users.enable('carol', ADMIN);
    expect((await directory.authenticate('carol', 'carol-password')).ok).to.equal(true);
  });

  it('a changed password replaces the old one; the group can be changed and cleared', async () => {
    await users.changePassword('bob', 'bob-new-password', ADMIN);
    expect((await directory.authenticate('bob', 'alice-password')).ok).to.equal(false);
    expect((await directory.authenticate('bob', 'bob-new-password')).ok).to.equal(true);
    await users.setDefaultGroup('bob', 'Field', ADMIN);
    expect(await directory.authenticate('bob', 'bob-new-password')).to.deep.equal({ ok: true, user: { username: 'bob', group: 'Field' } });
    await users.setDefaultGroup('bob', undefined, ADMIN);
    expect(await directory.authenticate('bob', 'bob-new-password')).to.deep.equal({ ok: true, user: { username: 'bob' } });
  });

  it('refuses an existing user, a short password, a bad name and changes to unknown users', async () => {
    expect(await code(users.add({ username: 'ALICE', password: 'long-enough', actor: ADMIN }))).to.equal('user-exists');
    expect(await code(users.add({ username: 'dave', password: 'short', actor: ADMIN }))).to.equal('invalid-password');
    expect(await code(users.add({ username: 'da ve', password: 'long-enough', actor: ADMIN }))).to.equal('invalid-user');
    expect(await code(users.changePassword('nobody', 'long-enough', ADMIN))).to.equal('unknown-user');
    expect(await code(users.disable('nobody', ADMIN))).to.equal('unknown-user');
    expect(await store.readStream('user-dave')).to.deep.equal([]);
  });

  it('password hashes: verify only the right password; unreadable or unmatchable hashes verify nothing', async () => {
    const hash = await hashPassword('pässword', FAST);
    expect(await verifyPassword('pässword', hash)).to.equal(true);
    expect(await verifyPassword('pa\u0308ssword', hash), 'NFC and NFD spellings are one password').to.equal(true);
    expect(await verifyPassword('password', hash)).to.equal(false);
    expect(await verifyPassword('pässword', unmatchableHash(FAST))).to.equal(false);
    expect(await verifyPassword('pässword', hash.replace('$4096$', '$4097$')), 'N not a power of two').to.equal(false);
    expect(await verifyPassword('pässword', hash.replace('$4096$', '$1073741824$')), 'N beyond the bound').to.equal(false);
    expect(await verifyPassword('pässword', 'garbage')).to.equal(false);
  });
});
