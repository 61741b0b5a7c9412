import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { InMemoryOneTimeScepChallenges } from '../../infrastructure/scep/one-time-scep-challenges.js';
import { AnyScepChallenge } from '../../infrastructure/scep/any-scep-challenge.js';
import { StaticScepChallenge } from '../../infrastructure/scep/static-scep-challenge.js';
import { createTestCa, type TestCa } from '../support/pki.js';
import { startScepServer, type RunningScepServer } from '../support/scep-server.js';
import { opensslCliAvailable, scepclientAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

interface ClientRun {
  readonly output: string;
  readonly certificatePath: string;
}

// Debian's scepclient (micromdm) is an independent SCEP implementation: it encrypts with single
// DES to every certificate GetCACert returns and checks the CertRep's signature and nonces.
describe('SCEP enrollment with Debian scepclient', function () {
  this.timeout(60_000);
  let testCa: TestCa;
  let server: RunningScepServer;
  let dir: ReturnType<typeof tempDir>;
  const oneTime = new InMemoryOneTimeScepChallenges();
  let runs = 0;

  before(async function () {
    if (!scepclientAvailable) {
      console.log('    (scepclient not on PATH — apt-get install scep: skipping the scepclient enrollment tests)');
      this.skip();
    }
    dir = tempDir('mdm-scep-');
    testCa = await createTestCa('SCEP Test CA');
    writeFileSync(join(dir.path, 'ca.pem'), testCa.certPem);
    server = await startScepServer(testCa, new AnyScepChallenge([oneTime, new StaticScepChallenge('static-secret')]), dir.path);
  });

  after(async () => {
    await server?.close();
    dir?.remove();
  });

  // scepclient keeps csr.pem and self.pem in its working directory and would reuse them: one
  // fresh directory per run.
  async function enroll(challenge: string, commonName: string): Promise<ClientRun> {
    const cwd = join(dir.path, `client-${++runs}`);
    mkdirSync(cwd);
    const certificatePath = join(cwd, 'issued.pem');
    const args = ['-server-url', server.url, '-private-key', join(cwd, 'client.key'), '-certificate', certificatePath, '-challenge', challenge, '-cn', commonName];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('scepclient', args, { cwd });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    return { output, certificatePath };
  }

  it('enrolls with the static challenge, and openssl verify accepts the certificate against the CA', async function () {
    const run = await enroll('static-secret', 'device-static');
    expect(existsSync(run.certificatePath), run.output).to.equal(true);
    const certificate = new X509Certificate(readFileSync(run.certificatePath));
    expect(certificate.subject).to.include('CN=device-static');
    expect(testCa.ca.verifyIssued(certificate.raw, new Date())).to.equal(true);
    const clientKey = createPublicKey(readFileSync(join(run.certificatePath, '..', 'client.key')));
    expect(certificate.publicKey.export({ type: 'spki', format: 'pem' })).to.equal(clientKey.export({ type: 'spki', format: 'pem' }));
    if (!opensslCliAvailable) {
      console.log('    (openssl not on PATH: skipping openssl verify)');
      return;
    }
    const verified = spawnSync('openssl', ['verify', '-CAfile', join(dir.path, 'ca.pem'), run.certificatePath], { encoding: 'utf8' });
    expect(verified.status, verified.stderr).to.equal(0);
    expect(verified.stdout).to.include(': OK');
  });

  it('records the issuance (serial, subject, validity, sha256) and nothing secret', async () => {
    const before = server.issued.length;
    const run = await enroll('static-secret', 'device-recorded');
    expect(server.issued.length).to.equal(before + 1);
    const record = server.issued.at(-1)!;
    const certificate = new X509Certificate(readFileSync(run.certificatePath));
    expect(record.serialNumber).to.equal(certificate.serialNumber.toLowerCase());
    expect(record.subject.commonName).to.equal('device-recorded');
    expect(record.messageType).to.equal('PKCSReq');
    expect(record.notAfter.getTime()).to.equal(Date.parse(certificate.validTo));
    expect(record.sha256).to.equal(certificate.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(JSON.stringify(record)).not.to.include('static-secret');
    expect(JSON.stringify(record)).not.to.include('PRIVATE');
  });

  it('enrolls with a one-time challenge exactly once, binding it to the enrollment', async () => {
    oneTime.add('one-time-123', 'enrollment-42');
    const first = await enroll('one-time-123', 'device-once');
    expect(existsSync(first.certificatePath), first.output).to.equal(true);
    expect(server.issued.at(-1)!.enrollmentId).to.equal('enrollment-42');
    const second = await enroll('one-time-123', 'device-twice');
    expect(existsSync(second.certificatePath)).to.equal(false);
    expect(second.output).to.match(/failInfo: badRequest/);
  });

  it('refuses a wrong challenge: scepclient reports the failure and gets no certificate', async () => {
    const issuedBefore = server.issued.length;
    const run = await enroll('not-the-secret', 'device-wrong');
    expect(existsSync(run.certificatePath)).to.equal(false);
    expect(run.output).to.match(/request failed, failInfo: badRequest/);
    expect(server.issued.length).to.equal(issuedBefore);
  });

  it('issues random serials of at least 64 bits', async () => {
    const serials = server.issued.map((record) => record.serialNumber);
    expect(serials.length).to.be.greaterThanOrEqual(3);
    expect(new Set(serials).size).to.equal(serials.length);
    // 16 random bytes with the top bit cleared: at least 64 bits even if the leading digits are small.
    for (const serial of serials) expect(serial).to.match(/^[0-9a-f]{32}$/);
  });

  it('keeps the RA key in the data directory, readable by the owner only', () => {
    expect(statSync(join(dir.path, 'scep-ra.key')).mode & 0o077).to.equal(0);
    expect(existsSync(join(dir.path, 'scep-ra.pem'))).to.equal(true);
  });
});
