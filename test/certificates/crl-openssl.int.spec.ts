import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RevocationList, type RevocationSource } from '../../application/certificates/revocation-list.js';
import type { RevokedCertificate } from '../../application/certificates/certificate-revocations.js';
import { derToPem } from '../../infrastructure/pki/der.js';
import { withCrlDistributionPoint } from '../../infrastructure/pki/crl-distribution-point.js';
import { settableClock } from '../identity/identity-doubles.js';
import { createTestCa, issueDeviceIdentity, pooledKeyPair, type TestCa } from '../support/pki.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

const HOUR = 3600_000;

/** Revocations as the registry hands them out, changed by the test. */
function source(): RevocationSource & { add(r: RevokedCertificate): void } {
  const list: RevokedCertificate[] = [];
  return {
    get version() {
      return list.length - 1;
    },
    list: () => list,
    add: (r) => void list.push(r),
  };
}

describe('CRL, checked by the openssl CLI', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let testCa: TestCa;
  let caFile: string;

  before(async function () {
    if (!opensslCliAvailable) {
      console.log('    (openssl not on PATH: skipping the CRL cross-checks)');
      this.skip();
    }
    dir = tempDir('mdm-crl-');
    testCa = await createTestCa('CRL Test CA');
    caFile = write('ca.pem', testCa.certPem);
  });
  after(() => dir?.remove());

  function write(name: string, content: string | Buffer): string {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  }
  const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

  it('signs a v2 CRL that openssl verifies against the CA, listing each serial with its date and reason', async () => {
    const checkedOut = await issueDeviceIdentity(testCa, 'UDID-CHECKED-OUT');
    const superseded = await issueDeviceIdentity(testCa, 'UDID-RENEWED');
    const byAdmin = await issueDeviceIdentity(testCa, 'UDID-ADMIN');
    const revoked = source();
    revoked.add({ sha256: checkedOut.issued!.sha256, serialNumber: checkedOut.issued!.serialNumber, reason: 'checked-out', revokedBy: 'device:x', revokedAt: '2025-05-01T12:00:00.000Z' });
    revoked.add({ sha256: superseded.issued!.sha256, serialNumber: superseded.issued!.serialNumber, reason: 'superseded', revokedBy: 'device:y', revokedAt: '2025-05-02T12:00:00.000Z' });
    revoked.add({ sha256: byAdmin.issued!.sha256, serialNumber: byAdmin.issued!.serialNumber, reason: 'admin', revokedBy: 'admin:z', revokedAt: '2025-05-03T12:00:00.000Z' });
    // No serial known: cannot be listed.
    revoked.add({ sha256: 'ee'.repeat(32), reason: 'admin', revokedBy: 'admin:z', revokedAt: '2025-05-03T12:00:00.000Z' });
    const clock = settableClock(new Date('2025-06-01T08:30:15.250Z'));
    const crl = new RevocationList(revoked, testCa.ca, clock).current();
    expect(crl.thisUpdate.toISOString()).to.equal('2025-06-01T08:30:15.000Z');
    expect(crl.nextUpdate.getTime() - crl.thisUpdate.getTime()).to.equal(24 * HOUR);

    const result = openssl('crl', '-inform', 'DER', '-in', write('list.crl', crl.der), '-CAfile', caFile, '-noout', '-text');
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/verify OK/);
    const text = result.stdout;
    expect(text).to.match(/Version 2 \(0x1\)/);
    expect(text).to.match(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).to.contain('Issuer: CN = CRL Test CA');
    expect(text).to.match(/Last Update: Jun  1 08:30:15 2025 GMT/);
    expect(text).to.match(/Next Update: Jun  2 08:30:15 2025 GMT/);
    expect(text).to.match(/X509v3 CRL Number:\s+(0x)?[0-9A-F]+/i);
    expect(text).to.match(/X509v3 Authority Key Identifier:/);
    const entry = (serial: string) => text.slice(text.indexOf(`Serial Number: ${serial.toUpperCase()}`));
    expect(entry(checkedOut.issued!.serialNumber)).to.match(/^Serial Number: [0-9A-F]+\s+Revocation Date: May  1 12:00:00 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Cessation Of Operation/);
    expect(entry(superseded.issued!.serialNumber)).to.match(/Revocation Date: May  2 12:00:00 2025 GMT\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Superseded/);
    // Unspecified is left out rather than stated.
    expect(entry(byAdmin.issued!.serialNumber)).to.match(/^Serial Number: [0-9A-F]+\s+Revocation Date: May  3 12:00:00 2025 GMT\s+(Serial Number|Signature Algorithm)/);
    expect(text.match(/Serial Number:/g)).to.have.length(3);
  });

  it('openssl verify -crl_check refuses a revoked certificate and accepts a good one', async () => {
    const revokedDevice = await issueDeviceIdentity(testCa, 'UDID-REVOKED');
    const goodDevice = await issueDeviceIdentity(testCa, 'UDID-GOOD');
    const revoked = source();
    revoked.add({ sha256: revokedDevice.issued!.sha256, serialNumber: revokedDevice.issued!.serialNumber, reason: 'wiped', revokedBy: 'device:x', revokedAt: new Date().toISOString() });
    const crlPem = write('crl.pem', derToPem(new RevocationList(revoked, testCa.ca, settableClock(new Date())).current().der, 'X509 CRL'));
    const bad = openssl('verify', '-crl_check', '-CRLfile', crlPem, '-CAfile', caFile, write('revoked.pem', revokedDevice.certPem));
    expect(bad.status).to.not.equal(0);
    expect(bad.stdout + bad.stderr).to.contain('certificate revoked');
    const good = openssl('verify', '-crl_check', '-CRLfile', crlPem, '-CAfile', caFile, write('good.pem', goodDevice.certPem));
    expect(good.status, good.stdout + good.stderr).to.equal(0);
    expect(good.stdout).to.match(/good\.pem: OK/);
  });

  it('an empty CRL is valid too, and leaves out the revokedCertificates field', () => {
    const crl = new RevocationList(source(), testCa.ca, settableClock(new Date())).current();
    const result = openssl('crl', '-inform', 'DER', '-in', write('empty.crl', crl.der), '-CAfile', caFile, '-noout', '-text');
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('No Revoked Certificates.');
  });

  it('is signed once and served until a revocation changes it or half its validity has passed; the CRL number only grows', async () => {
    const device = await issueDeviceIdentity(testCa, 'UDID-CACHE');
    const revoked = source();
    const clock = settableClock(new Date('2025-06-01T00:00:00.000Z'));
    const list = new RevocationList(revoked, testCa.ca, clock);
    const first = list.current();
    clock.set(new Date('2025-06-01T11:59:00.000Z'));
    expect(list.current()).to.equal(first);
    revoked.add({ sha256: device.issued!.sha256, serialNumber: device.issued!.serialNumber, notAfter: device.issued!.notAfter.toISOString(), reason: 'checked-out', revokedBy: 'device:x', revokedAt: clock.now().toISOString() });
    const second = list.current();
    expect(second).to.not.equal(first);
    expect(second.crlNumber > first.crlNumber).to.equal(true);
    clock.set(new Date('2025-06-01T23:59:00.000Z'));
    const third = list.current();
    expect(third.thisUpdate.toISOString()).to.equal('2025-06-01T23:59:00.000Z');
    expect(third.crlNumber > second.crlNumber).to.equal(true);
    // The certificate expired more than one CRL period ago: its entry goes.
    clock.set(new Date(device.issued!.notAfter.getTime() + 25 * HOUR));
    expect(openssl('crl', '-inform', 'DER', '-in', write('before.crl', second.der), '-noout', '-text').stdout).to.contain(`Serial Number: ${device.issued!.serialNumber.toUpperCase()}`);
    const later = openssl('crl', '-inform', 'DER', '-in', write('later.crl', list.current().der), '-noout', '-text');
    expect(later.stdout).to.contain('No Revoked Certificates.');
  });

  it('certificates issued through the server name the CRL in a cRLDistributionPoints extension', async () => {
    const issuing = withCrlDistributionPoint(testCa.ca, 'https://mdm.example.com/crl');
    const key = pooledKeyPair();
    const issued = await issuing.issue({ publicKeyPem: key.publicKeyPem, subject: { commonName: 'UDID-CDP' }, profile: 'device-identity', validityDays: 30 });
    const text = openssl('x509', '-noout', '-text', '-in', write('cdp.pem', issued.pem)).stdout;
    expect(text).to.match(/X509v3 CRL Distribution Points:\s+Full Name:\s+URI:https:\/\/mdm\.example\.com\/crl/);
    expect(openssl('verify', '-CAfile', caFile, write('cdp-verify.pem', issued.pem)).stdout).to.match(/: OK/);
    await issuing.issue({ publicKeyPem: key.publicKeyPem, subject: { commonName: 'x' }, profile: 'device-identity', validityDays: 30, crlDistributionPoint: 'ftp://nope' }).then(
      () => expect.fail('an ftp URL was accepted'),
      (error: Error) => expect(error.message).to.contain('crlDistributionPoint'),
    );
  });
});
