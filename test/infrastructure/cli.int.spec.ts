import { expect } from 'chai';
import { COMMANDS } from '../../infrastructure/cli/commands.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VARIABLES } from '../../infrastructure/config/variables.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

describe('mdm CLI', function () {
  this.timeout(20_000);

  it('--help lists the commands; every command has --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).to.equal(0);
    expect(top.stdout).to.match(/Usage: mdm <command>/);
    const names = COMMANDS.map((c) => c.name);
    expect(names).to.include.members(['serve', 'config', 'ca', 'backup', 'enrollment-token', 'enrollment', 'user', 'group', 'profile', 'policy', 'push', 'certificate', 'token']);
    for (const name of names) {
      expect(top.stdout).to.contain(name);
      const sub = await runCli([name, '--help']);
      expect(sub.code, name).to.equal(0);
      expect(sub.stdout).to.contain(`Usage: mdm ${name}`);
    }
  });

  it('serve --help documents every environment variable', async () => {
    const { stdout } = await runCli(['serve', '--help']);
    for (const v of VARIABLES) expect(stdout).to.contain(v.name);
  });

  it('docs/configuration.md documents every environment variable', () => {
    const doc = readFileSync(repoFile('docs/configuration.md'), 'utf8');
    for (const v of VARIABLES) expect(doc, v.name).to.contain(`\`${v.name}\``);
  });

  it('an unknown command exits 2 with the usage', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('unknown command "frobnicate"');
  });

  for (const [name, value, pattern] of [
    ['MDM_ADMIN_PORT', 'eighty', /MDM_ADMIN_PORT: must be a port number from 0 to 65535 \(got "eighty"\)/],
    ['MDM_EVENT_STORE', 'postgres', /MDM_EVENT_STORE: must be one of sqlite, esdb \(got "postgres"\)/],
    ['MDM_DURABILITY', 'disk', /MDM_DURABILITY: must be one of process, power/],
    ['MDM_PUBLIC_URL', 'http://mdm.example.com', /MDM_PUBLIC_URL: must be a URL starting with https:\/\//],
    ['MDM_TLS_CERT_FILE', '/nonexistent/cert.pem', /MDM_TLS_CERT_FILE: file "\/nonexistent\/cert.pem" does not exist/],
    ['MDM_TRUSTED_PROXY_CIDRS', '10.0.0.0/99', /MDM_TRUSTED_PROXY_CIDRS: must be comma-separated CIDRs/],
  ] as const) {
    it(`serve stops with one clear line for a bad ${name}`, async () => {
      const dir = tempDir();
      try {
        const r = await runCli(['serve'], { MDM_DATA_DIR: dir.path, [name]: value });
        expect(r.code).to.equal(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(pattern);
        expect(r.stdout).to.equal('');
      } finally {
        dir.remove();
      }
    });
  }

  it('config prints the effective configuration without secrets', async () => {
    const dir = tempDir();
    try {
      const token = 'admin-token-that-must-not-print-0123456789';
      const r = await runCli(['config'], { MDM_DATA_DIR: dir.path, MDM_ADMIN_TOKEN: token, MDM_SCEP_CHALLENGE: 'scep-challenge-secret' });
      expect(r.code).to.equal(0);
      const config = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(config['dataDir']).to.equal(dir.path);
      expect(config['adminToken']).to.equal('[set]');
      expect(r.stdout).to.not.contain(token);
      expect(r.stdout).to.not.contain('scep-challenge-secret');
    } finally {
      dir.remove();
    }
  });
});
