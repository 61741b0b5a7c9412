import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issuedCertificateStreamId } from '../../application/certificates/issued-certificates.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { scepclientAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

/**
 * A device identity obtained the way devices get one: Debian's scepclient enrolls over HTTPS at the
 * server's own /scep, and the certificate it gets is then used to check in.
 */
describe('SCEP on the device listener, then check-in with the issued identity', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;

  before(async function () {
    if (!scepclientAvailable) {
      console.log('    (scepclient not on PATH — apt-get install scep: skipping)');
      this.skip();
    }
    dir = tempDir();
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_SCEP_CHALLENGE: 'static-challenge-for-e2e', MDM_HTTP_PORT: '0',
    }), jsonLogger({ write: () => undefined }));
  });

  after(async () => {
    await server?.stop();
    dir?.remove();
  });

  // Asynchronous: the server runs in this very process and must keep answering meanwhile.
  function scepclient(challenge: string, cn: string, cwd: string, base = `${server.deviceUrl.replace('127.0.0.1', 'localhost')}`): Promise<{ status: number | null; stderr: string }> {
    mkdirSync(cwd, { recursive: true });
    return new Promise((resolve) => {
      // Go's TLS trusts SSL_CERT_FILE: the MDM CA, as an enrollment profile would install it.
      const child = spawn('scepclient', ['-server-url', `${base}/scep`, '-private-key', join(cwd, 'device.key'), '-certificate', join(cwd, 'device.pem'), '-challenge', challenge, '-cn', cn], {
        cwd, env: { ...process.env, SSL_CERT_FILE: join(dir.path, 'ca', 'ca.pem') },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr });
      });
    });
  }

  it('issues an identity over HTTPS that openssl verifies, records it, and the device checks in with it', async () => {
    const udid = `0000SCEP${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const cwd = join(dir.path, 'device');
    const run = await scepclient('static-challenge-for-e2e', udid, cwd);
    expect(run.status, run.stderr).to.equal(0);
    const verify = spawnSync('openssl', ['verify', '-CAfile', join(dir.path, 'ca', 'ca.pem'), join(cwd, 'device.pem')], { encoding: 'utf8' });
    expect(verify.stdout.trim()).to.match(/: OK$/);

    const certPem = readFileSync(join(cwd, 'device.pem'), 'utf8');
    const keyPem = readFileSync(join(cwd, 'device.key'), 'utf8');
    const device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: readFileSync(join(dir.path, 'ca', 'ca.pem'), 'utf8'), udid, certPem, keyPem, auth: 'signature' });
    try {
      expect((await device.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.scep' })).status).to.equal(200);
      expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.scep', Token: Buffer.from('5c', 'hex'), PushMagic: 'pm' })).status).to.equal(200);
      expect((await device.report({ Status: 'Idle' })).status).to.equal(200);
    } finally {
      device.close();
    }

    const { X509Certificate } = await import('node:crypto');
    const x509 = new X509Certificate(certPem);
    const reader = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      const [issued] = await reader.readStream(issuedCertificateStreamId(x509.fingerprint256.replace(/:/g, '').toLowerCase()));
      expect(issued?.type).to.equal('CertificateIssued');
      expect((issued!.data as { serialNumber: string }).serialNumber).to.equal(x509.serialNumber.toLowerCase());
      expect(JSON.stringify(issued)).to.not.contain('static-challenge-for-e2e');
    } finally {
      await reader.close();
    }
  });

  it('also enrolls over the plain-HTTP listener, which serves nothing but SCEP, the CRL and health', async () => {
    expect(server.httpUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const cwd = join(dir.path, 'plain-http');
    const run = await scepclient('static-challenge-for-e2e', randomUUID().toUpperCase(), cwd, server.httpUrl!);
    expect(run.status, run.stderr).to.equal(0);
    const verify = spawnSync('openssl', ['verify', '-CAfile', join(dir.path, 'ca', 'ca.pem'), join(cwd, 'device.pem')], { encoding: 'utf8' });
    if (verify.error) console.log('    (openssl not on PATH: certificate not cross-checked)');
    else expect(verify.stdout).to.contain('OK');
    for (const path of ['/mdm', '/enroll/x', '/enroll']) {
      expect((await fetch(`${server.httpUrl}${path}`, { method: path === '/mdm' ? 'PUT' : 'GET' })).status, path).to.equal(404);
    }
    expect((await fetch(`${server.httpUrl}/healthz`)).status).to.equal(200);
    const crl = await fetch(`${server.httpUrl}/crl`);
    expect(crl.status).to.equal(200);
    expect(crl.headers.get('content-type')).to.equal('application/pkix-crl');
    // The certificates it issues point relying parties at this listener's CRL.
    const cdp = spawnSync('openssl', ['x509', '-in', join(cwd, 'device.pem'), '-noout', '-ext', 'crlDistributionPoints'], { encoding: 'utf8' });
    if (!cdp.error) expect(cdp.stdout).to.match(/URI:http:\/\/[^/]+\/crl/);
  });

  it('refuses a wrong challenge: no certificate', async () => {
    const cwd = join(dir.path, 'intruder');
    const run = await scepclient('wrong-challenge', 'intruder', cwd);
    expect(run.status).to.not.equal(0);
    expect(spawnSync('test', ['-e', join(cwd, 'device.pem')]).status, 'no certificate written').to.not.equal(0);
  });
});
