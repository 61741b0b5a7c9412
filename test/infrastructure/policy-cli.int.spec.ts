import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument } from '../../projections/compliance-policies.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

describe('mdm policy', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  before(() => (dir = tempDir()));
  after(() => dir.remove());
  const mdm = (...args: string[]) => runCli(args, { MDM_DATA_DIR: join(dir.path, 'data'), USER: 'alice' });

  it('has --help for the command and each subcommand, and is listed by mdm --help', async () => {
    const overview = await mdm('policy', '--help');
    expect(overview.code).to.equal(0);
    expect(overview.stdout).to.match(/^Usage: mdm policy /);
    for (const sub of ['define', 'change', 'retire', 'list', 'show']) {
      const help = await mdm('policy', sub, '--help');
      expect(help.code, sub).to.equal(0);
      expect(help.stdout, sub).to.match(new RegExp(`^Usage: mdm policy ${sub} `));
    }
    expect((await mdm('help', 'policy', 'define')).stdout).to.match(/^Usage: mdm policy define /);
    expect((await mdm('--help')).stdout).to.match(/^ {2}policy +Define, change, retire and list compliance policies/m);
  });

  it('answers usage mistakes with exit 2 and refused rules with exit 1, one line each', async () => {
    expect((await mdm('policy')).code).to.equal(2);
    expect((await mdm('policy', 'frobnicate')).code).to.equal(2);
    expect((await mdm('policy', 'define', 'x', '--name', 'X')).stderr).to.match(/^mdm policy: define needs --rules JSON or --rules-file FILE/);
    const notJson = await mdm('policy', 'define', 'x', '--name', 'X', '--rules', '[{"type":');
    expect(notJson.code).to.equal(2);
    expect(notJson.stderr).to.match(/^mdm policy: --rules is not valid JSON: /);
    const noFile = await mdm('policy', 'define', 'x', '--name', 'X', '--rules-file', join(dir.path, 'missing.json'));
    expect(noFile.code).to.equal(2);
    expect(noFile.stderr).to.contain('cannot read --rules-file');
    const badRule = await mdm('policy', 'define', 'x', '--name', 'X', '--rules', '[{"type":"minimum-os-version","version":"seventeen"}]');
    expect(badRule.code).to.equal(1);
    expect(badRule.stderr).to.equal('mdm policy: rule 1 (minimum-os-version): version must be like "17", "17.4" or "17.4.1"\n');
    const badGroup = await mdm('policy', 'define', 'x', '--name', 'X', '--rules', '[{"type":"passcode-required"}]', '--group', 'Not A Group');
    expect(badGroup.code).to.equal(1);
    expect(badGroup.stderr).to.match(/^mdm policy: "Not A Group" is not a group name/);
    const badId = await mdm('policy', 'define', 'Bad_Id', '--name', 'X', '--rules', '[{"type":"passcode-required"}]');
    expect(badId.code).to.equal(1);
    expect(badId.stderr).to.match(/^mdm policy: a policy id is /);
    expect((await mdm('policy', 'change', 'x')).stderr).to.match(/^mdm policy: nothing to change/);
    expect((await mdm('policy', 'show', 'nosuch')).stderr).to.equal('mdm policy: there is no compliance policy nosuch\n');
  });

  it('defines, changes, lists, shows and retires a policy, for people and as JSON', async () => {
    const file = join(dir.path, 'rules.json');
    writeFileSync(file, JSON.stringify([{ type: 'passcode-required' }, { type: 'minimum-os-version', version: '17.0' }]));
    const defined = await mdm('policy', 'define', 'baseline', '--name', 'Baseline', '--rules-file', file, '--group', 'sales', '--group', 'development', '--json');
    expect(defined.code, defined.stderr).to.equal(0);
    const { changed, policy } = JSON.parse(defined.stdout) as { changed: boolean; policy: PolicyDocument };
    expect(changed).to.equal(true);
    expect(policy).to.deep.include({ policyId: 'baseline', name: 'Baseline', revision: 1, definedBy: 'admin:alice', retired: false, scope: { type: 'groups', groups: ['development', 'sales'] } });
    expect(policy.rules).to.deep.equal([{ type: 'passcode-required' }, { type: 'minimum-os-version', version: '17.0' }]);

    expect((await mdm('policy', 'define', 'baseline', '--name', 'Baseline', '--rules-file', file, '--group', 'development', '--group', 'sales')).stdout).to.equal('policy baseline exists already, as asked\n');
    const clash = await mdm('policy', 'define', 'baseline', '--name', 'Other', '--rules-file', file);
    expect(clash.code).to.equal(1);
    expect(clash.stderr).to.contain('change it instead');

    expect((await mdm('policy', 'change', 'baseline', '--name', 'Baseline 2')).stdout).to.equal('changed policy baseline\n');
    expect((await mdm('policy', 'change', 'baseline', '--name', 'Baseline 2')).stdout).to.equal('policy baseline is like that already\n');
    const rescoped = JSON.parse((await mdm('policy', 'change', 'baseline', '--all-devices', '--rules', '[{"type":"maximum-days-since-seen","days":7}]', '--json')).stdout) as { policy: PolicyDocument };
    expect(rescoped.policy).to.deep.include({ name: 'Baseline 2', revision: 3, scope: { type: 'all' } });
    expect(rescoped.policy.effectiveSince > policy.effectiveSince).to.equal(true);

    expect((await mdm('policy', 'define', 'roaming', '--name', 'No roaming', '--rules', '[{"type":"roaming-off"}]', '--description', 'Travel')).code).to.equal(0);
    const listed = await mdm('policy', 'list');
    expect(listed.stdout).to.match(/^ID +STATUS +RULES +REVISION +SINCE +SCOPE +NAME$/m);
    expect(listed.stdout).to.match(/^baseline +in force +1 +3 +\S+ +every enrolled device +Baseline 2$/m);
    expect(listed.stdout).to.match(/^roaming +in force +1 +1 +/m);
    const shown = await mdm('policy', 'show', 'roaming');
    expect(shown.stdout).to.match(/^description: Travel$/m);
    expect(shown.stdout).to.match(/^ {2}roaming-off +data and voice roaming off$/m);

    expect((await mdm('policy', 'retire', 'roaming')).stdout).to.equal('retired policy roaming\n');
    expect((await mdm('policy', 'retire', 'roaming')).stdout).to.equal('policy roaming was retired already\n');
    const inForce = JSON.parse((await mdm('policy', 'list', '--json')).stdout) as PolicyDocument[];
    expect(inForce.map((p) => p.policyId)).to.deep.equal(['baseline']);
    const everything = JSON.parse((await mdm('policy', 'list', '--retired', '--json')).stdout) as PolicyDocument[];
    expect(everything.map((p) => [p.policyId, p.retired])).to.deep.equal([['baseline', false], ['roaming', true]]);
    const again = await mdm('policy', 'change', 'roaming', '--name', 'Back');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal('mdm policy: compliance policy roaming is retired\n');
  });
});
