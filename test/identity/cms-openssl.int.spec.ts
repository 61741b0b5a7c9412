import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyDetachedCms } from '../../infrastructure/http/device/identity/cms-detached-signature.js';
import { signDetachedCms } from '../support/cms-sign.js';
import { opensslAvailable, opensslSignDetached } from '../support/cms-sign-openssl.js';
import { createTestCa, issueDeviceIdentity, type TestCa, type TestCertificate } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

const BODY = Buffer.from('<?xml version="1.0"?><plist version="1.0"><dict><key>MessageType</key><string>Authenticate</string></dict></plist>\n');

// OpenSSL is a second, independent CMS implementation: it signs what our verifier must accept, and
// it verifies what the forge-based test signer produces, so the two sides check each other.
describe('Mdm-Signature CMS against the openssl CLI', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let device: TestCertificate;

  before(async function () {
    if (!opensslAvailable) {
      console.log('    (openssl not on PATH: skipping the openssl CMS cross-checks)');
      this.skip();
    }
    testCa = await createTestCa('CMS OpenSSL CA');
    device = await issueDeviceIdentity(testCa, 'UDID-OPENSSL-CMS');
  });

  for (const digest of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
    it(`accepts an openssl-made ${digest} signature with signed attributes`, () => {
      expect(verifyDetachedCms(opensslSignDetached(BODY, device, { digest }), BODY)).to.deep.equal({ ok: true, value: device.der });
    });
  }

  it('accepts an openssl-made signature without signed attributes (-noattr)', () => {
    const cms = opensslSignDetached(BODY, device, { digest: 'sha1', signedAttributes: false });
    expect(verifyDetachedCms(cms, BODY)).to.deep.equal({ ok: true, value: device.der });
  });

  it('accepts a signer identified by subjectKeyIdentifier (-keyid)', () => {
    const cms = opensslSignDetached(BODY, device, { keyIdentifier: true });
    expect(cms.includes(Buffer.from([0x80, 0x14])), 'a [0] IMPLICIT key identifier').to.equal(true);
    expect(verifyDetachedCms(cms, BODY)).to.deep.equal({ ok: true, value: device.der });
  });

  it('accepts an ECDSA P-256 identity', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const issued = await testCa.ca.issue({
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      subject: { commonName: 'UDID-EC' },
      profile: 'device-identity',
      validityDays: 30,
    });
    const signer = { certPem: issued.pem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    for (const digest of ['sha1', 'sha256'] as const) {
      expect(verifyDetachedCms(opensslSignDetached(BODY, signer, { digest }), BODY), digest).to.deep.equal({ ok: true, value: issued.der });
    }
    const tampered = Buffer.concat([BODY, Buffer.from('x')]);
    expect(verifyDetachedCms(opensslSignDetached(BODY, signer), tampered).ok).to.equal(false);
  });

  it('refuses an openssl-made signature over another body', () => {
    const cms = opensslSignDetached(BODY, device, { digest: 'sha256' });
    const result = verifyDetachedCms(cms, Buffer.from('<plist>forged</plist>'));
    expect(!result.ok && result.problem.reason).to.equal('bad-signature');
    const noAttributes = opensslSignDetached(BODY, device, { signedAttributes: false });
    expect(verifyDetachedCms(noAttributes, Buffer.from('<plist>forged</plist>')).ok).to.equal(false);
  });

  describe('the forge test signer, verified by openssl cms -verify', () => {
    let dir: ReturnType<typeof tempDir>;
    before(() => (dir = tempDir('mdm-cms-verify-')));
    after(() => dir?.remove());

    for (const digest of ['sha1', 'sha256'] as const) {
      for (const signedAttributes of [true, false]) {
        it(`${digest}, ${signedAttributes ? 'with' : 'without'} signed attributes`, () => {
          const path = (name: string) => join(dir.path, name);
          writeFileSync(path('ca.pem'), testCa.certPem);
          writeFileSync(path('body'), BODY);
          writeFileSync(path('sig.der'), signDetachedCms(BODY, device, { digest, signedAttributes }));
          const verify = (content: string) =>
            spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path('sig.der'), '-content', content, '-CAfile', path('ca.pem'), '-purpose', 'any', '-out', path('out')], { encoding: 'utf8' });
          const good = verify(path('body'));
          expect(good.status, good.stderr).to.equal(0);
          writeFileSync(path('other'), 'other body');
          expect(verify(path('other')).status).to.not.equal(0);
          const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path('sig.der')], { encoding: 'utf8' });
          expect(printed).to.include(digest === 'sha1' ? 'sha1' : 'sha256');
        });
      }
    }
  });
});
