import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { assignedProfileOf } from '../../application/profile-library/profile-library.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { filesContaining } from '../support/find-secret.js';
import { tempDir } from '../support/temp-dir.js';
import { AutomationFixture } from './automation-fixture.js';
import { wifiProfile } from './profile-fixtures.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    return (error as DomainError).code;
  }
  throw new Error('not refused');
}

describe('device groups and the profile library on the event store', () => {
  let dir: ReturnType<typeof tempDir>;
  let f: AutomationFixture;
  const admin = { kind: 'admin' as const, id: 'alice' };
  beforeEach(async () => {
    dir = tempDir();
    f = await AutomationFixture.open(dir.path);
  });
  afterEach(async () => {
    await f.close();
    dir.remove();
  });

  it('stores a profile once by content, sealed: its password is nowhere in the data directory', async () => {
    const password = 'Wi-Fi-PASSWORD-4c1f9a0e7b';
    const bytes = wifiProfile({ password });
    const first = await f.library.upload(bytes, admin);
    const second = await f.library.upload(bytes, { kind: 'admin', id: 'bob' });
    expect(first.created).to.equal(true);
    expect(second.created).to.equal(false);
    expect(first.profile.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
    expect(second.profile).to.deep.equal(first.profile);
    expect(first.profile).to.deep.include({ payloadIdentifier: 'com.example.wifi', displayName: 'Office Wi-Fi', uploadedBy: 'admin:alice', size: bytes.length });
    expect(await f.store.readStream(`library-profile-${first.profile.sha256}`)).to.have.length(1);
    expect(await f.library.list()).to.have.length(1);
    await f.close();
    expect(filesContaining(dir.path, Buffer.from(password))).to.deep.equal([]);
    await f.reopen();
  });

  it('refuses what is not a configuration profile, and profiles over the size limit', async () => {
    expect(await refusal(f.library.upload(Buffer.from('not a plist'), admin))).to.equal('invalid-profile');
    const payloadOnly = Buffer.from(wifiProfile().toString('utf8').replace('<string>Configuration</string>', '<string>com.apple.wifi.managed</string>'));
    expect(await refusal(f.library.upload(payloadOnly, admin))).to.equal('invalid-profile');
    expect(await refusal(f.library.upload(Buffer.alloc(600 * 1024, 0x20), admin))).to.equal('invalid-profile');
    const longIdentifier = wifiProfile({ identifier: `com.example.${'x'.repeat(300)}` });
    expect(await refusal(f.library.upload(longIdentifier, admin))).to.equal('invalid-profile');
    expect(await f.library.list()).to.deep.equal([]);
    expect(await f.store.readAll(), 'a refused upload leaves nothing behind').to.deep.equal([]);
  });

  it('names profiles by a unique prefix of their SHA-256', async () => {
    const { profile } = await f.library.upload(wifiProfile(), admin);
    expect((await f.library.resolve(profile.sha256.slice(0, 8).toUpperCase())).sha256).to.equal(profile.sha256);
    expect(await refusal(f.library.resolve('abc'))).to.equal('invalid-reference');
    expect(await refusal(f.library.resolve(profile.sha256.startsWith('0') ? '1'.repeat(8) : '0'.repeat(8)))).to.equal('unknown-profile');
  });

  it('a profile assigned to a group cannot be removed; unassigned, it can', async () => {
    const { profile } = await f.library.upload(wifiProfile(), admin);
    await f.groups.create('development', { description: 'Developer devices' }, admin);
    await f.groups.assignProfile('development', assignedProfileOf(profile), admin);
    expect(await f.library.assignedTo(profile.sha256)).to.deep.equal(['development']);
    expect(await refusal(f.library.remove(profile.sha256, admin))).to.equal('profile-assigned');
    await f.groups.unassignProfile('development', profile.sha256, admin);
    await f.library.remove(profile.sha256.slice(0, 10), admin);
    expect(await f.library.list()).to.deep.equal([]);
    expect(await refusal(f.library.resolve(profile.sha256))).to.equal('unknown-profile');
  });

  it('lists groups, shows members and assignments, and answers whether a group quarantines', async () => {
    await f.groups.create('production', { quarantine: true }, admin);
    await f.groups.create('development', {}, admin);
    expect(await f.groups.create('development', {}, admin), 'the same create again').to.equal(false);
    await f.groups.addDevice('development', '00008030-0000000000000B1E', admin);
    await f.groups.assignApp('development', { bundleIdentifier: 'com.example.app', manifestUrl: 'https://apps.example.com/app.plist' }, admin);
    const groups = await f.groups.list();
    expect(groups.map((g) => g.name)).to.deep.equal(['development', 'production']);
    expect(groups[0]).to.deep.include({ members: ['00008030-0000000000000B1E'], apps: [{ bundleIdentifier: 'com.example.app', manifestUrl: 'https://apps.example.com/app.plist' }] });
    expect(await f.groups.quarantineRequired('production')).to.equal(true);
    expect(await f.groups.quarantineRequired('development')).to.equal(false);
    expect(await f.groups.quarantineRequired(undefined)).to.equal(false);
    expect(await f.groups.quarantineRequired('deleted-or-misspelt'), 'an unknown group holds its devices').to.equal(true);
    await f.groups.setQuarantine('production', false, admin);
    expect(await f.groups.quarantineRequired('production')).to.equal(false);

    expect(await refusal(f.groups.delete('development', admin))).to.equal('group-not-empty');
    await f.groups.removeDevice('development', '00008030-0000000000000B1E', admin);
    await f.groups.delete('development', admin);
    expect((await f.groups.list()).map((g) => g.name)).to.deep.equal(['production']);
    const before = (await f.store.readAll({ maxCount: 10_000 })).length;
    expect(await refusal(f.groups.create('Bad Name', {}, admin))).to.equal('invalid-group-name');
    expect(await refusal(f.groups.create('fine-name', { description: 'two\nlines' }, admin))).to.equal('invalid-description');
    expect(await refusal(f.groups.create('production', { quarantine: true }, admin)), 'production exists, not quarantined').to.equal('group-exists');
    expect((await f.store.readAll({ maxCount: 10_000 })).length, 'refusals append nothing').to.equal(before);
    expect((await f.store.readStream('directory-device-groups')).map((e) => (e.data as { key: string }).key)).to.deep.equal(['production', 'development']);
  });
});
