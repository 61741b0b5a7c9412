import { expect } from 'chai';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { openOrCreateScepRa, SCEP_RA_COMMON_NAME } from '../../infrastructure/scep/scep-registration-authority.js';
import { createTestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

describe('SCEP registration authority (scep-ra.pem / scep-ra.key)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dir = tempDir('mdm-scep-ra-');
  });
  afterEach(() => dir.remove());

  it('creates the RA on first use, issued by the CA, with the key private to the owner', async () => {
    const testCa = await createTestCa('RA Test CA');
    const ra = await openOrCreateScepRa(testCa.ca, dir.path);
    const certificate = new X509Certificate(readFileSync(join(dir.path, 'scep-ra.pem')));
    expect(certificate.raw.equals(ra.certificateDer)).to.equal(true);
    expect(certificate.subject).to.include(`CN=${SCEP_RA_COMMON_NAME}`);
    expect(testCa.ca.verifyIssued(ra.certificateDer, new Date())).to.equal(true);
    expect(certificate.checkPrivateKey(ra.privateKey)).to.equal(true);
    expect(statSync(join(dir.path, 'scep-ra.key')).mode & 0o777).to.equal(0o600);
  });

  it('reuses the stored RA on the next start', async () => {
    const testCa = await createTestCa('RA Reuse CA');
    const first = await openOrCreateScepRa(testCa.ca, dir.path);
    const second = await openOrCreateScepRa(testCa.ca, dir.path);
    expect(second.certificateDer.equals(first.certificateDer)).to.equal(true);
  });

  it('replaces an RA that another CA issued, or whose key does not match', async () => {
    const oldCa = await createTestCa('RA Old CA');
    const newCa = await createTestCa('RA New CA');
    const old = await openOrCreateScepRa(oldCa.ca, dir.path);
    const replaced = await openOrCreateScepRa(newCa.ca, dir.path);
    expect(replaced.certificateDer.equals(old.certificateDer)).to.equal(false);
    expect(newCa.ca.verifyIssued(replaced.certificateDer, new Date())).to.equal(true);

    writeFileSync(join(dir.path, 'scep-ra.key'), old.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const rekeyed = await openOrCreateScepRa(newCa.ca, dir.path);
    expect(rekeyed.certificateDer.equals(replaced.certificateDer)).to.equal(false);
    expect(new X509Certificate(rekeyed.certificateDer).checkPrivateKey(rekeyed.privateKey)).to.equal(true);
  });

  describe('with MDM_CA_KEY_PASSPHRASE', () => {
    const passphrase = 'ra key passphrase';
    const keyPath = () => join(dir.path, 'scep-ra.key');
    const logs = () => {
      const lines: Array<{ level: string; msg: string }> = [];
      const logger = jsonLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as { level: string; msg: string }) });
      return { lines, logger };
    };

    it('writes the RA key encrypted and opens it again with the passphrase', async () => {
      const testCa = await createTestCa('RA Passphrase CA');
      const first = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase });
      const pem = readFileSync(keyPath(), 'utf8');
      expect(pem).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
      expect(() => createPrivateKey(pem)).to.throw();
      expect(new X509Certificate(first.certificateDer).checkPrivateKey(createPrivateKey({ key: pem, passphrase }))).to.equal(true);
      const second = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase });
      expect(second.certificateDer.equals(first.certificateDer)).to.equal(true);
      expect(statSync(keyPath()).mode & 0o777).to.equal(0o600);
    });

    it('re-writes an RA key stored unencrypted, keeping the same RA', async () => {
      const testCa = await createTestCa('RA Upgrade CA');
      const plain = await openOrCreateScepRa(testCa.ca, dir.path);
      expect(readFileSync(keyPath(), 'utf8')).to.contain('BEGIN PRIVATE KEY');
      const { lines, logger } = logs();
      const upgraded = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase, logger });
      expect(upgraded.certificateDer.equals(plain.certificateDer)).to.equal(true);
      const pem = readFileSync(keyPath(), 'utf8');
      expect(pem).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
      expect(new X509Certificate(plain.certificateDer).checkPrivateKey(createPrivateKey({ key: pem, passphrase }))).to.equal(true);
      expect(statSync(keyPath()).mode & 0o777).to.equal(0o600);
      expect(lines.map((l) => l.msg)).to.include('SCEP RA key re-written encrypted with MDM_CA_KEY_PASSPHRASE');
    });

    it('replaces an RA whose encrypted key cannot be opened (passphrase removed or changed), with a warning', async () => {
      const testCa = await createTestCa('RA Lost Passphrase CA');
      const sealed = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase });
      const { lines, logger } = logs();
      const replaced = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase: 'another passphrase', logger });
      expect(replaced.certificateDer.equals(sealed.certificateDer)).to.equal(false);
      expect(testCa.ca.verifyIssued(replaced.certificateDer, new Date())).to.equal(true);
      expect(lines.find((l) => l.level === 'warn')?.msg).to.contain('cannot be opened');
      const again = await openOrCreateScepRa(testCa.ca, dir.path, { passphrase: 'another passphrase' });
      expect(again.certificateDer.equals(replaced.certificateDer)).to.equal(true);
    });
  });
});
