import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
