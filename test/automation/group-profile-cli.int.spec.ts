import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { wifiProfile } from './profile-fixtures.js';

describe('mdm group and mdm profile', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  before(() => (dir = tempDir()));
  after(() => dir.remove());
  const mdm = (...args: string[]) => runCli(args, { MDM_DATA_DIR: join(dir.path, 'data') });

  it('have --help and are listed by mdm --help', async () => {
    for (const command of ['group', 'profile']) {
      const help = await mdm(command, '--help');
      expect(help.code).to.equal(0);
      expect(help.stdout).to.match(new RegExp(`^Usage: mdm ${command} `));
    }
    const all = await mdm('--help');
    expect(all.stdout).to.match(/^ {2}group +Manage device groups/m);
    expect(all.stdout).to.match(/^ {2}profile +Upload, list, show or remove/m);
  });

  it('answer usage mistakes with exit 2 and refusals with exit 1, one line each', async () => {
    expect((await mdm('group')).code).to.equal(2);
    expect((await mdm('group', 'frobnicate')).code).to.equal(2);
    expect((await mdm('group', 'assign-app', 'x', 'com.example.app')).code, 'no source').to.equal(2);
    expect((await mdm('profile', 'upload', join(dir.path, 'missing.mobileconfig'))).code).to.equal(2);
    const bad = await mdm('group', 'create', 'Not A Slug');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^mdm group: a group name is .+\n$/);
    const unknown = await mdm('group', 'add-device', 'nosuch', '00008030-0000000000000A2E');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.equal('mdm group: there is no device group nosuch\n');
  });

  it('upload, assign, list and show, for people and as JSON', async () => {
    const file = join(dir.path, 'wifi.mobileconfig');
    writeFileSync(file, wifiProfile());
    const uploaded = await mdm('profile', 'upload', file, '--json');
    expect(uploaded.code, uploaded.stderr).to.equal(0);
    const { created, profile } = JSON.parse(uploaded.stdout) as { created: boolean; profile: { sha256: string } };
    expect(created).to.equal(true);
    expect((await mdm('group', 'create', 'development', '--description', 'Developer devices')).code).to.equal(0);
    expect((await mdm('group', 'assign-profile', 'development', profile.sha256.slice(0, 7))).stdout).to.match(/^assigned [0-9a-f]{12} \(com\.example\.wifi\) to group development\n$/);
    expect((await mdm('group', 'add-device', 'development', '00008030-0000000000000A3E')).code).to.equal(0);
    expect((await mdm('group', 'list')).stdout).to.match(/^development +no +1 +1 +0 +Developer devices$/m);
    const shown = JSON.parse((await mdm('group', 'show', 'development', '--json')).stdout) as { members: string[]; profiles: Array<{ sha256: string }> };
    expect(shown.members).to.deep.equal(['00008030-0000000000000A3E']);
    expect(shown.profiles.map((p) => p.sha256)).to.deep.equal([profile.sha256]);
    expect((await mdm('profile', 'show', profile.sha256.slice(0, 12))).stdout).to.match(/^assigned to: +development$/m);
    const refused = await mdm('profile', 'remove', profile.sha256.slice(0, 12));
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('unassign it first');
  });
});
