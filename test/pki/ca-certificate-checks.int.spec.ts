import { expect } from 'chai';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { createSelfSignedCa } from '../../infrastructure/pki/self-signed-ca.js';
import { pooledKeyPair } from '../support/pki.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

const YEAR = 365 * 86_400_000;

/** A self-signed certificate with exactly the extensions given (forge signs: tests only). */
function selfSigned(extensions: object[], key = pooledKeyPair('ca')): { certPem: string; keyPem: string } {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + YEAR);
  const name = [{ name: 'commonName', value: 'Odd CA' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.setExtensions(extensions);
  cert.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.privateKeyPem };
}

describe('mdm ca import refuses what cannot serve as the CA', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('mdm-ca-checks-')));
  afterEach(() => dir.remove());

  async function importCli(name: string, certPem: string, keyPem: string) {
    const files = { cert: join(dir.path, `${name}.pem`), key: join(dir.path, `${name}.key`) };
    writeFileSync(files.cert, certPem);
    writeFileSync(files.key, keyPem);
    const dataDir = join(dir.path, `data-${name}`);
    const r = await runCli(['ca', 'import', '--cert', files.cert, '--key', files.key], { MDM_DATA_DIR: dataDir });
    return { ...r, caWritten: existsSync(join(dataDir, 'ca', 'ca.pem')) || existsSync(join(dataDir, 'ca', 'ca.key')) };
  }

  const key = () => pooledKeyPair('ca');

  it('accepts a valid CA, with keyCertSign or without keyUsage at all', async () => {
    const k = key();
    const made = await createSelfSignedCa({ privateKey: k.privateKey, commonName: 'Fine CA' });
    const ok = await importCli('fine', made.certificatePem, k.privateKeyPem);
    expect(ok.code, ok.stderr).to.equal(0);
    const bare = selfSigned([{ name: 'basicConstraints', cA: true }]);
    const noKeyUsage = await importCli('bare', bare.certPem, bare.keyPem);
    expect(noKeyUsage.code, noKeyUsage.stderr).to.equal(0);
  });

  for (const [label, build, message] of [
    ['an expired CA', async () => { const k = key(); return { certPem: (await createSelfSignedCa({ privateKey: k.privateKey, now: new Date(Date.now() - 3 * YEAR), validityDays: 365 })).certificatePem, keyPem: k.privateKeyPem }; }, 'expired on'],
    ['a CA not yet valid', async () => { const k = key(); return { certPem: (await createSelfSignedCa({ privateKey: k.privateKey, now: new Date(Date.now() + 2 * 86_400_000) })).certificatePem, keyPem: k.privateKeyPem }; }, 'not valid before'],
    ['a certificate that is not a CA', async () => selfSigned([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', keyCertSign: true }]), 'not a CA certificate'],
    ['a certificate without basicConstraints', async () => selfSigned([{ name: 'keyUsage', keyCertSign: true }]), 'not a CA certificate'],
    ['a CA whose keyUsage lacks keyCertSign', async () => selfSigned([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', critical: true, digitalSignature: true, cRLSign: true }]), 'lacks keyCertSign'],
    ['a CA with another key', async () => { const made = await createSelfSignedCa({ privateKey: key().privateKey }); const other = key(); return { certPem: made.certificatePem, keyPem: other.privateKeyPem }; }, 'does not belong to the certificate'],
  ] as const) {
    it(`refuses ${label}, writing nothing`, async () => {
      const { certPem, keyPem } = await build();
      const r = await importCli(label.replace(/\W+/g, '-'), certPem, keyPem);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^mdm ca import: /).and.to.contain(message);
      expect(r.caWritten).to.equal(false);
    });
  }

  it('checks at the clock it is given (FileCertificateAuthority.import)', async () => {
    const k = key();
    const made = await createSelfSignedCa({ privateKey: k.privateKey, validityDays: 30 });
    const later = { now: () => new Date(Date.now() + 60 * 86_400_000) };
    let refused: unknown;
    await FileCertificateAuthority.import(join(dir.path, 'later'), made.certificatePem, k.privateKey, { clock: later }).catch((e: unknown) => (refused = e));
    expect((refused as Error).message).to.contain('expired on');
    const imported = await FileCertificateAuthority.import(join(dir.path, 'now'), made.certificatePem, k.privateKey);
    expect(new X509Certificate(imported.certificatePem()).publicKey.export({ type: 'spki', format: 'der' })).to.deep.equal(createPublicKey(k.privateKey).export({ type: 'spki', format: 'der' }));
  });
});
