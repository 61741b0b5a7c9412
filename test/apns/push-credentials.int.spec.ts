import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { PushCredentialsError, pkcs12ToPem, readPushCredentials } from '../../infrastructure/apns/push-credentials.js';
import { loadConfig, describeConfig } from '../../infrastructure/config/load-config.js';
import { createPushCertificate, createTestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('push credentials from PKCS#12', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('reads a PKCS#12 made by node-forge into the same certificate and a matching key', async () => {
    const push = await createPushCertificate(await createTestCa('Push CA'));
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(push.keyPem), [forge.pki.certificateFromPem(push.certPem)], 'p12-secret', { algorithm: '3des' });
    const der = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
    const { certPem, keyPem } = pkcs12ToPem(der, 'p12-secret');
    const cert = new X509Certificate(certPem);
    expect(cert.raw.equals(new X509Certificate(push.certPem).raw)).to.equal(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).to.equal(true);
    expect(() => pkcs12ToPem(der, 'wrong')).to.throw(PushCredentialsError);
    expect(() => pkcs12ToPem(Buffer.from('not a p12'), '')).to.throw(PushCredentialsError);
  });

  it('reads a PKCS#12 exported by openssl, as Keychain exports do', async function () {
    if (!hasOpenssl) {
      console.log('      (skipped: openssl not on PATH)');
      this.skip();
    }
    const push = await createPushCertificate(await createTestCa('Push CA'));
    writeFileSync(join(dir.path, 'push.pem'), push.certPem);
    writeFileSync(join(dir.path, 'push.key'), push.keyPem);
    const out = join(dir.path, 'push.p12');
    // -legacy keeps 3DES/SHA-1 (what older Keychain exports use); without it OpenSSL 3 writes AES/PBKDF2.
    for (const legacy of [[], ['-legacy']]) {
      try {
        execFileSync('openssl', ['pkcs12', '-export', ...legacy, '-in', join(dir.path, 'push.pem'), '-inkey', join(dir.path, 'push.key'), '-out', out, '-passout', 'pass:exported'], { stdio: 'pipe' });
      } catch {
        continue; // this openssl has no legacy provider
      }
      const config = loadConfig({ MDM_DATA_DIR: dir.path, MDM_PUSH_P12_FILE: out, MDM_PUSH_P12_PASSWORD: 'exported' });
      expect(JSON.stringify(describeConfig(config))).to.not.contain('exported');
      const credentials = await readPushCredentials(config.apns.push!);
      expect(new X509Certificate(credentials.certPem).raw.equals(new X509Certificate(push.certPem).raw), `openssl ${legacy.join(' ') || 'default'}`).to.equal(true);
    }
    expect(readFileSync(out).length).to.be.greaterThan(0);
  });

  it('refuses both a PKCS#12 and a PEM pair at once', () => {
    const f = join(dir.path, 'x');
    writeFileSync(f, 'x');
    expect(() => loadConfig({ MDM_PUSH_P12_FILE: f, MDM_PUSH_CERT_FILE: f, MDM_PUSH_KEY_FILE: f })).to.throw(/either MDM_PUSH_P12_FILE/);
  });
});
