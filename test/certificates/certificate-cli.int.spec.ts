import { expect } from 'chai';
import { join } from 'node:path';
import { REVOCATIONS_STREAM } from '../../application/certificates/certificate-revocations.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

describe('mdm certificate', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  before(() => (dir = tempDir()));
  after(() => dir?.remove());
  const cli = (...args: string[]) => runCli(['certificate', ...args], { MDM_DATA_DIR: dir.path });

  it('has --help and is listed by mdm --help', async () => {
    const help = await cli('--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('Usage: mdm certificate revoke <sha256|serial> [--reason R]');
    expect(help.stdout).to.contain('checked-out, wiped, enrollment-rejected, superseded, key-compromise, admin');
    expect((await runCli(['--help'])).stdout).to.match(/^ {2}certificate +Revoke, show and list/m);
  });

  for (const [args, message] of [
    [[], 'a subcommand is needed'],
    [['destroy', 'ab'], 'unknown subcommand "destroy"'],
    [['revoke'], 'name one certificate'],
    [['revoke', 'not-hex!'], 'a certificate is named by its SHA-256'],
    [['revoke', 'ab'.repeat(32), '--reason', 'bored'], '--reason takes one of'],
    [['show', 'ab'.repeat(32), '--reason', 'admin'], '--reason is for revoke'],
    [['list', 'ab'.repeat(32)], 'list takes no certificate'],
  ] as const) {
    it(`refuses ${JSON.stringify(args)} with exit code 2 and changes nothing`, async () => {
      const r = await cli(...args);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain(message);
    });
  }

  // Runs after the refusals above: the one revocation it finds shows they appended nothing.
  it('show and revoke by serial number answer 1 when nothing is recorded; revoking an unknown hash warns but revokes', async () => {
    const show = await cli('show', 'cd'.repeat(32));
    expect([show.code, show.stderr]).to.deep.equal([1, `mdm certificate: nothing is recorded about ${'cd'.repeat(32)}\n`]);
    const bySerial = await cli('revoke', '0A:1B');
    expect(bySerial.code).to.equal(1);
    expect(bySerial.stderr).to.contain('no certificate with serial number 0a1b');
    const unknown = await cli('revoke', 'EF'.repeat(32));
    expect(unknown.code, unknown.stderr).to.equal(0);
    expect(unknown.stderr).to.contain('not known to this server; revoking it anyway (without a serial number it is not listed in the CRL)');
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      const events = await store.readStream(REVOCATIONS_STREAM);
      expect(events.map((e) => e.data)).to.deep.equal([{ sha256: 'ef'.repeat(32), reason: 'admin', revokedBy: 'admin:cli', revokedAt: events[0]!.metadata.occurredAt }]);
    } finally {
      await store.close();
    }
  });
});
