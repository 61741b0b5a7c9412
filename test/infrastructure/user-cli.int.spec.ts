import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BuiltInUserDirectory } from '../../application/users/built-in-user-directory.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { CLI, runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

/** The CLI with `input` on stdin (piped, as a script would). */
function runWithStdin(args: string[], env: Record<string, string>, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('mdm user', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  before(() => {
    dir = tempDir('mdm-user-cli-');
    env = { MDM_DATA_DIR: dir.path };
  });
  after(() => dir?.remove());

  async function authenticate(username: string, password: string) {
    const key = await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: false });
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      return await new BuiltInUserDirectory(store, new AesGcmSecretBox(key.key)).authenticate(username, password);
    } finally {
      await store.close();
    }
  }

  it('documents its subcommands and where passwords come from', async () => {
    const help = await runCli(['user', '--help']);
    expect(help.code).to.equal(0);
    for (const word of ['add', 'passwd', 'disable', 'enable', 'group', 'list', 'MDM_USER_PASSWORD']) expect(help.stdout).to.contain(word);
  });

  it('adds users with the password from the environment or from stdin, never from the command line', async () => {
    const fromEnv = await runCli(['user', 'add', 'Alice', '--group', 'Sales', '--display-name', 'Alice Example'], { ...env, MDM_USER_PASSWORD: 'alice-password' });
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    expect(fromEnv.stdout).to.contain('user alice added (group Sales)');
    const fromStdin = await runWithStdin(['user', 'add', 'bob'], env, 'bob-password\n');
    expect(fromStdin.code, fromStdin.stderr).to.equal(0);
    expect(await authenticate('alice', 'alice-password')).to.deep.equal({ ok: true, user: { username: 'alice', displayName: 'Alice Example', group: 'Sales' } });
    expect((await authenticate('bob', 'bob-password')).ok).to.equal(true);

    expect((await runCli(['user', 'add', 'carol', '--password', 'carol-password'], env)).code, 'no --password option').to.equal(2);
    expect((await runWithStdin(['user', 'add', 'carol'], env, '')).code, 'no password at all').to.equal(2);
    expect((await runCli(['user', 'add', 'carol'], { ...env, MDM_USER_PASSWORD: 'short' })).code, 'too short').to.equal(1);
    expect((await runCli(['user', 'add', 'ALICE'], { ...env, MDM_USER_PASSWORD: 'another-password' })).code, 'exists').to.equal(1);
    expect((await runCli(['user', 'add', 'a b'], { ...env, MDM_USER_PASSWORD: 'another-password' })).code, 'bad name').to.equal(1);
  });

  it('changes passwords, disables and enables, sets groups, and lists users without their hashes', async () => {
    expect((await runWithStdin(['user', 'passwd', 'bob'], env, 'bob-new-password\n')).code).to.equal(0);
    expect((await authenticate('bob', 'bob-password')).ok).to.equal(false);
    expect((await authenticate('bob', 'bob-new-password')).ok).to.equal(true);
    expect((await runCli(['user', 'disable', 'bob'], env)).stdout).to.equal('user disabled\n');
    expect((await authenticate('bob', 'bob-new-password')).ok).to.equal(false);
    expect((await runCli(['user', 'group', 'bob', 'Field'], env)).code).to.equal(0);
    const list = await runCli(['user', 'list'], env);
    expect(list.code, list.stderr).to.equal(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^USER\s+DISPLAY NAME\s+GROUP\s+STATUS\s+CREATED$/);
    expect(lines[1]).to.match(/^alice\s+Alice Example\s+Sales\s+active\s+\d{4}-/);
    expect(lines[2]).to.match(/^bob\s+-\s+Field\s+disabled\s+\d{4}-/);
    expect(list.stdout).to.not.contain('sb1.');
    expect((await runCli(['user', 'enable', 'bob'], env)).stdout).to.equal('user enabled\n');
    expect((await authenticate('bob', 'bob-new-password')).ok).to.equal(true);
    expect((await runCli(['user', 'disable', 'nobody'], env)).code, 'unknown user').to.equal(1);
    expect((await runCli(['user', 'frobnicate', 'bob'], env)).code).to.equal(2);
    expect((await runCli(['user', 'disable'], env)).code).to.equal(2);
  });
});
