import { expect } from 'chai';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

describe('mdm token', function () {
  this.timeout(30_000);

  it('creates (shown once), lists without secrets, revokes', async () => {
    const dir = tempDir();
    try {
      const env = { MDM_DATA_DIR: dir.path };
      const created = await runCli(['token', 'create', '--role', 'user', '--name', 'carol phone', '--username', 'carol', '--expires-days', '30', '--json'], env);
      expect(created.code, created.stderr).to.equal(0);
      expect(created.stderr).to.match(/shown only once/);
      const { tokenId, token } = JSON.parse(created.stdout) as { tokenId: string; token: string };
      expect(token).to.match(new RegExp(`^mdm_${tokenId}_[A-Za-z0-9_-]{43}$`));
      const listed = await runCli(['token', 'list', '--json'], env);
      expect(listed.code, listed.stderr).to.equal(0);
      const list = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
      expect(list).to.have.length(1);
      expect(list[0]).to.deep.include({ tokenId, role: 'user', name: 'carol phone', username: 'carol' });
      expect(listed.stdout).not.to.contain(token.slice(37));
      const revoked = await runCli(['token', 'revoke', tokenId], env);
      expect(revoked.code, revoked.stderr).to.equal(0);
      expect(revoked.stdout).to.contain(`revoked: api token ${tokenId}`);
      const table = await runCli(['token', 'list'], env);
      expect(table.stdout).to.match(new RegExp(`${tokenId}\\tuser\\tcarol phone\\tcarol\\t.*\\trevoked `));
      expect((await runCli(['token', 'revoke', tokenId], env)).stdout).to.contain('already revoked');
    } finally {
      dir.remove();
    }
  });

  it('refuses bad options with exit 2; every subcommand has --help', async () => {
    const dir = tempDir();
    try {
      const env = { MDM_DATA_DIR: dir.path };
      for (const args of [['create', '--role', 'root', '--name', 'x'], ['create', '--role', 'user', '--name', 'x'], ['create', '--role', 'admin'], ['create', '--role', 'admin', '--name', 'x', '--expires-days', '0'], ['revoke', 'abc'], ['frob']]) {
        const r = await runCli(['token', ...args], env);
        expect(r.code, args.join(' ')).to.equal(2);
        expect(r.stdout).to.equal('');
      }
      for (const sub of ['create', 'list', 'revoke']) {
        const r = await runCli(['token', sub, '--help']);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.contain(`Usage: mdm token ${sub}`);
      }
      const unknown = await runCli(['token', 'revoke', 'f'.repeat(32)], env);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain('no api token');
    } finally {
      dir.remove();
    }
  });
});
