import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { derToPem } from '../../infrastructure/pki/der.js';
import { asDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { parseCertificationRequest } from '../../infrastructure/scep/certification-request.js';
import { pythonAvailable, pythonReads } from '../plist/python-plistlib.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { csrPublicKey, fileText, pendingRequestKey } from './push-fixtures.js';

const samePublicKey = (a: ReturnType<typeof createPublicKey>, b: ReturnType<typeof createPublicKey>) =>
  a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));

describe('mdm push csr', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let dataDir: string;
  beforeEach(() => {
    dir = tempDir('mdm-push-csr-');
    dataDir = join(dir.path, 'data');
  });
  afterEach(() => dir.remove());

  it('keeps a new key private on the server and prints a CSR for it, never the key', async () => {
    const r = await runCli(['push', 'csr', '--email', 'mdm@example.com', '--country', 'DE'], { MDM_DATA_DIR: dataDir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    expect(r.stdout + r.stderr).to.not.contain('PRIVATE KEY');
    const keyPath = pendingRequestKey(dataDir);
    expect(statSync(keyPath).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dataDir, 'push')).mode & 0o777).to.equal(0o700);
    const key = createPrivateKey(fileText(keyPath));
    expect(key.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect(samePublicKey(csrPublicKey(r.stdout), createPublicKey(key))).to.equal(true);
    // The current certificate's key is another file: a pending request never replaces it.
    expect(existsSync(join(dataDir, 'push', 'push.key'))).to.equal(false);
  });

  it('writes a request that openssl verifies, with the subject asked for', async function () {
    if (!opensslCliAvailable) {
      console.log('    (openssl not on PATH: skipping the openssl check of the request)');
      this.skip();
    }
    const out = join(dir.path, 'push.csr');
    const r = await runCli(['push', 'csr', '--out', out, '--common-name', 'Example Push', '--email', 'mdm@example.com', '--country', 'US'], { MDM_DATA_DIR: dataDir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('');
    const checked = execFileSync('openssl', ['req', '-in', out, '-verify', '-noout', '-subject', '-nameopt', 'RFC2253'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(checked).to.contain('emailAddress=mdm@example.com');
    expect(checked).to.contain('CN=Example Push');
    expect(checked).to.contain('C=US');
    const modulus = execFileSync('openssl', ['req', '-in', out, '-noout', '-modulus'], { encoding: 'utf8' }).trim();
    const keyModulus = execFileSync('openssl', ['rsa', '-in', pendingRequestKey(dataDir), '-noout', '-modulus'], { encoding: 'utf8' }).trim();
    expect(modulus).to.equal(keyModulus);
  });

  it('keeps the key encrypted with MDM_CA_KEY_PASSPHRASE', async () => {
    const passphrase = 'push key passphrase';
    const r = await runCli(['push', 'csr'], { MDM_DATA_DIR: dataDir, MDM_CA_KEY_PASSPHRASE: passphrase });
    expect(r.code, r.stderr).to.equal(0);
    const pem = fileText(pendingRequestKey(dataDir));
    expect(pem).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(() => createPrivateKey(pem)).to.throw();
    expect(samePublicKey(csrPublicKey(r.stdout), createPublicKey(createPrivateKey({ key: pem, passphrase })))).to.equal(true);
  });

  it('refuses to replace a pending request\'s key without --force', async () => {
    expect((await runCli(['push', 'csr'], { MDM_DATA_DIR: dataDir })).code).to.equal(0);
    const first = fileText(pendingRequestKey(dataDir));
    const again = await runCli(['push', 'csr'], { MDM_DATA_DIR: dataDir });
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('still pending').and.to.contain('--force');
    expect(again.stdout).to.equal('');
    expect(fileText(pendingRequestKey(dataDir))).to.equal(first);
    const forced = await runCli(['push', 'csr', '--force'], { MDM_DATA_DIR: dataDir });
    expect(forced.code, forced.stderr).to.equal(0);
    expect(fileText(pendingRequestKey(dataDir))).to.not.equal(first);
    expect(samePublicKey(csrPublicKey(forced.stdout), createPublicKey(createPrivateKey(fileText(pendingRequestKey(dataDir)))))).to.equal(true);
  });

  it('refuses bad subject fields with a usage error and creates no key', async () => {
    for (const args of [['--country', 'Germany'], ['--email', 'not an address'], ['--common-name', 'a\nb'], ['--vendor-cert', 'x.pem']]) {
      const r = await runCli(['push', 'csr', ...args], { MDM_DATA_DIR: dataDir });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.match(/^mdm push csr: /);
    }
    expect(existsSync(pendingRequestKey(dataDir))).to.equal(false);
  });

  describe('signed with an MDM vendor certificate', () => {
    const vendorPassphrase = 'vendor key passphrase';

    async function vendorFiles() {
      const appleRoot = await createTestCa('Test Apple Root CA');
      const vendor = await issueDeviceIdentity(appleRoot, 'MDM Vendor: Example Vendor');
      const files = { cert: join(dir.path, 'mdm.cer'), key: join(dir.path, 'vendor.key'), root: join(dir.path, 'AppleRoot.pem'), out: join(dir.path, 'request.b64') };
      // As Apple's developer site hands it out: DER.
      writeFileSync(files.cert, new X509Certificate(vendor.certPem).raw);
      writeFileSync(files.key, createPrivateKey(vendor.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: vendorPassphrase }));
      writeFileSync(files.root, appleRoot.certPem);
      return { appleRoot, vendor, files };
    }

    it('writes the base64 plist Apple\'s portal takes: CSR, chain and a SHA256withRSA signature that verifies', async () => {
      const { appleRoot, vendor, files } = await vendorFiles();
      const r = await runCli(['push', 'csr', '--vendor-cert', files.cert, '--vendor-key', files.key, '--vendor-chain', files.root, '--out', files.out], {
        MDM_DATA_DIR: dataDir,
        MDM_VENDOR_KEY_PASSPHRASE: vendorPassphrase,
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout + r.stderr).to.not.contain(vendorPassphrase);
      const encoded = readFileSync(files.out, 'utf8');
      expect(encoded).to.match(/^[A-Za-z0-9+/]+=*$/);
      const plist = Buffer.from(encoded, 'base64');

      const request = asDict(parsePlist(plist));
      expect(Object.keys(request).sort()).to.deep.equal(['PushCertCertificateChain', 'PushCertRequestCSR', 'PushCertSignature']);
      const csrDer = Buffer.from(getString(request, 'PushCertRequestCSR')!, 'base64');
      const csr = parseCertificationRequest(csrDer);
      expect(samePublicKey(csr.publicKey, createPublicKey(createPrivateKey(fileText(pendingRequestKey(dataDir)))))).to.equal(true);
      const signature = Buffer.from(getString(request, 'PushCertSignature')!, 'base64');
      const vendorCertificate = new X509Certificate(vendor.certPem);
      expect(verify('sha256', csrDer, vendorCertificate.publicKey, signature)).to.equal(true);
      expect(verify('sha256', Buffer.concat([csrDer, Buffer.from([0])]), vendorCertificate.publicKey, signature)).to.equal(false);
      const chain = getString(request, 'PushCertCertificateChain')!;
      expect(chain).to.equal(derToPem(Buffer.from(vendorCertificate.raw)) + derToPem(Buffer.from(new X509Certificate(appleRoot.certPem).raw)));
      for (const line of chain.split('\n').filter((l) => !l.startsWith('-----') && l !== '')) expect(line.length).to.be.at.most(64);

      if (!pythonAvailable) {
        console.log('    (python3 not on PATH: skipping the plistlib cross-check)');
        return;
      }
      const tagged = pythonReads(plist) as { dict: Record<string, { str: string }> };
      expect(Object.keys(tagged.dict).sort()).to.deep.equal(['PushCertCertificateChain', 'PushCertRequestCSR', 'PushCertSignature']);
      expect(tagged.dict['PushCertRequestCSR']!.str).to.equal(csrDer.toString('base64'));
      expect(tagged.dict['PushCertSignature']!.str).to.equal(signature.toString('base64'));
      expect(tagged.dict['PushCertCertificateChain']!.str).to.equal(chain);
    });

    it('has a signature openssl verifies with the vendor certificate', async function () {
      if (!opensslCliAvailable) {
        console.log('    (openssl not on PATH: skipping the openssl signature check)');
        this.skip();
      }
      const { vendor, files } = await vendorFiles();
      const r = await runCli(['push', 'csr', '--vendor-cert', files.cert, '--vendor-key', files.key, '--out', files.out], { MDM_DATA_DIR: dataDir, MDM_VENDOR_KEY_PASSPHRASE: vendorPassphrase });
      expect(r.code, r.stderr).to.equal(0);
      const request = asDict(parsePlist(Buffer.from(readFileSync(files.out, 'utf8'), 'base64')));
      const paths = { csr: join(dir.path, 'csr.der'), sig: join(dir.path, 'sig.bin'), pub: join(dir.path, 'vendor-pub.pem') };
      writeFileSync(paths.csr, Buffer.from(getString(request, 'PushCertRequestCSR')!, 'base64'));
      writeFileSync(paths.sig, Buffer.from(getString(request, 'PushCertSignature')!, 'base64'));
      writeFileSync(paths.pub, new X509Certificate(vendor.certPem).publicKey.export({ type: 'spki', format: 'pem' }));
      const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', paths.pub, '-signature', paths.sig, paths.csr], { encoding: 'utf8' });
      expect(out).to.contain('Verified OK');
      execFileSync('openssl', ['req', '-inform', 'DER', '-in', paths.csr, '-verify', '-noout'], { stdio: 'ignore' });
    });

    it('refuses a vendor key that is not the vendor certificate\'s, or a missing passphrase, and creates no key', async () => {
      const { files } = await vendorFiles();
      const missing = await runCli(['push', 'csr', '--vendor-cert', files.cert, '--vendor-key', files.key], { MDM_DATA_DIR: dataDir });
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain('set MDM_VENDOR_KEY_PASSPHRASE');

      const other = await issueDeviceIdentity(await createTestCa('Other CA'), 'someone else');
      const otherKey = join(dir.path, 'other.key');
      writeFileSync(otherKey, other.keyPem);
      if (new X509Certificate(readFileSync(files.cert)).checkPrivateKey(createPrivateKey(other.keyPem))) throw new Error('test set-up: pooled keys collided');
      const mismatch = await runCli(['push', 'csr', '--vendor-cert', files.cert, '--vendor-key', otherKey], { MDM_DATA_DIR: dataDir });
      expect(mismatch.code).to.equal(1);
      expect(mismatch.stderr).to.contain('does not belong to the MDM vendor certificate');
      expect(existsSync(pendingRequestKey(dataDir))).to.equal(false);
    });
  });

  it('has --help for push and each subcommand', async () => {
    const top = await runCli(['push', '--help']);
    expect(top.code).to.equal(0);
    expect(top.stdout).to.contain('Usage: mdm push <csr|upload|show>');
    for (const sub of ['csr', 'upload', 'show']) {
      const help = await runCli(['push', sub, '--help']);
      expect(help.code, sub).to.equal(0);
      expect(help.stdout).to.contain(`Usage: mdm push ${sub}`);
    }
    expect((await runCli(['help', 'push', 'upload'])).stdout).to.contain('--allow-topic-change');
    const listed = await runCli(['--help']);
    expect(listed.stdout).to.match(/\n  push +Request, install or show the APNs push certificate/);
  });
});
