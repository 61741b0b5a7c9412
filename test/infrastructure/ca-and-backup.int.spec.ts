import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { startServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { createTestCa, issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

describe('mdm ca', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('init creates the CA once; show prints its fingerprint', async () => {
    const first = await runCli(['ca', 'init'], { MDM_DATA_DIR: dir.path });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('CA created');
    const again = await runCli(['ca', 'init'], { MDM_DATA_DIR: dir.path });
    expect(again.stdout).to.contain('CA already present');
    const show = await runCli(['ca', 'show'], { MDM_DATA_DIR: dir.path });
    const fingerprint = new (await import('node:crypto')).X509Certificate(readFileSync(join(dir.path, 'ca', 'ca.pem'))).fingerprint256;
    expect(show.stdout).to.contain(`sha256:      ${fingerprint}`);
    expect(statSync(join(dir.path, 'ca', 'ca.key')).mode & 0o777).to.equal(0o600);
  });

  it('keeps the CA key encrypted with MDM_CA_KEY_PASSPHRASE, and says so when it is missing', async () => {
    const env = { MDM_DATA_DIR: dir.path, MDM_CA_KEY_PASSPHRASE: 'correct horse battery' };
    expect((await runCli(['ca', 'init'], env)).code).to.equal(0);
    expect(readFileSync(join(dir.path, 'ca', 'ca.key'), 'utf8')).to.contain('BEGIN ENCRYPTED PRIVATE KEY');
    expect((await runCli(['ca', 'show'], env)).code).to.equal(0);
    const without = await runCli(['ca', 'show'], { MDM_DATA_DIR: dir.path });
    expect(without.code).to.equal(1);
    expect(without.stderr).to.contain('set MDM_CA_KEY_PASSPHRASE');
    const wrong = await runCli(['ca', 'show'], { MDM_DATA_DIR: dir.path, MDM_CA_KEY_PASSPHRASE: 'wrong passphrase' });
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain('MDM_CA_KEY_PASSPHRASE');
  });

  it('imports an existing CA from PEM or PKCS#12, never over an existing one', async () => {
    const existing = await createTestCa('Organisation Root CA');
    writeFileSync(join(dir.path, 'org.pem'), existing.certPem);
    writeFileSync(join(dir.path, 'org.key'), existing.keyPem);
    const pem = await runCli(['ca', 'import', '--cert', join(dir.path, 'org.pem'), '--key', join(dir.path, 'org.key')], { MDM_DATA_DIR: join(dir.path, 'a') });
    expect(pem.code, pem.stderr).to.equal(0);
    expect(readFileSync(join(dir.path, 'a', 'ca', 'ca.pem'), 'utf8').trim()).to.equal(existing.certPem.trim());
    const twice = await runCli(['ca', 'import', '--cert', join(dir.path, 'org.pem'), '--key', join(dir.path, 'org.key')], { MDM_DATA_DIR: join(dir.path, 'a') });
    expect(twice.code).to.equal(1);
    expect(twice.stderr).to.contain('already holds a CA');

    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(existing.keyPem), [forge.pki.certificateFromPem(existing.certPem)], 'bundle-pw', { algorithm: '3des' });
    writeFileSync(join(dir.path, 'org.p12'), Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    const fromP12 = await runCli(['ca', 'import', '--p12', join(dir.path, 'org.p12')], { MDM_DATA_DIR: join(dir.path, 'b'), MDM_IMPORT_P12_PASSWORD: 'bundle-pw' });
    expect(fromP12.code, fromP12.stderr).to.equal(0);
    const imported = await FileCertificateAuthority.openOrCreate(join(dir.path, 'b', 'ca'));
    const leaf = await imported.issue({ publicKeyPem: (await import('../support/pki.js')).pooledKeyPair().publicKeyPem, subject: { commonName: 'device' }, profile: 'device-identity', validityDays: 30 });
    expect(existing.ca.verifyIssued(leaf.der, new Date())).to.equal(true);

    // A leaf certificate is not a CA.
    const leafCert = await issueDeviceIdentity(existing, 'not-a-ca');
    writeFileSync(join(dir.path, 'leaf.pem'), leafCert.certPem);
    writeFileSync(join(dir.path, 'leaf.key'), leafCert.keyPem);
    const notCa = await runCli(['ca', 'import', '--cert', join(dir.path, 'leaf.pem'), '--key', join(dir.path, 'leaf.key')], { MDM_DATA_DIR: join(dir.path, 'c') });
    expect(notCa.code).to.equal(1);
    expect(notCa.stderr).to.contain('not a CA certificate');
  });
});

describe('mdm backup', function () {
  this.timeout(60_000);

  it('copies a running server\'s store and keys; a server on the copy keeps serving an enrolled device', async () => {
    const dir = tempDir();
    try {
      const original = join(dir.path, 'original');
      const copy = join(dir.path, 'copy');
      const ca = await FileCertificateAuthority.openOrCreate(join(original, 'ca'), { keyBits: 2048 });
      const env = { MDM_DATA_DIR: original, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1' };
      const server = await startServer(loadConfig(env), jsonLogger({ write: () => undefined }));
      const udid = `0000BKUP${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
      const cert = await issueDeviceIdentity({ ca } as unknown as TestCa, udid);
      const deviceOptions = { serverCaPem: ca.certificatePem(), udid, certPem: cert.certPem, keyPem: cert.keyPem, auth: 'mtls' as const };
      const before = new TestDevice({ ...deviceOptions, serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost') });
      const commandUuid = randomUUID();
      try {
        expect((await before.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.b' })).status).to.equal(200);
        expect((await before.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.b', Token: Buffer.from('0b0b', 'hex'), PushMagic: 'pm', UnlockToken: Buffer.from('unlock') })).status).to.equal(200);
        await server.services.commandQueue.enqueue([udid], { requestType: 'ClearPasscode' }, { commandUuid, actor: { kind: 'admin', id: 'backup-test' } });
        // While the server runs.
        const backup = await runCli(['backup', '--out', copy], { MDM_DATA_DIR: original });
        expect(backup.code, backup.stderr).to.equal(0);
        expect(backup.stdout).to.contain('events.db (online backup)');
      } finally {
        before.close();
        await server.stop();
      }
      expect(statSync(copy).mode & 0o777).to.equal(0o700);
      expect(statSync(join(copy, 'secrets.key')).mode & 0o777).to.equal(0o600);

      const restored = await startServer(loadConfig({ ...env, MDM_DATA_DIR: copy }), jsonLogger({ write: () => undefined }));
      const after = new TestDevice({ ...deviceOptions, serverUrl: restored.deviceUrl.replace('127.0.0.1', 'localhost') });
      try {
        const idle = await after.report({ Status: 'Idle' });
        expect(idle.status).to.equal(200);
        const command = asDict(parsePlist(idle.body));
        expect(getString(command, 'CommandUUID')).to.equal(commandUuid);
        // The sealed unlock token opens with the restored secrets key.
        expect(((command['Command'] as Record<string, unknown>)['UnlockToken'] as Buffer).toString()).to.equal('unlock');
      } finally {
        after.close();
        await restored.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
