import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { IssuedCertificates, issuedCertificateStreamId } from '../../application/certificates/issued-certificates.js';
import { EnrollmentIdentityRecorder } from '../../application/enrollment/enrollment-identity-recorder.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { systemClock } from '../../application/ports/clock.js';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { ScepIssuedCertificate } from '../../application/ports/scep-challenges.js';
import { pkcs12Identity, pkcs12ProfileIdentity } from '../../infrastructure/enrollment/pkcs12-identity.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { withCrlDistributionPoint } from '../../infrastructure/pki/crl-distribution-point.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { buildPkcs12 } from '../../infrastructure/pki/pkcs12.js';
import { firstCertificatePem, openWithForge, opensslPkcs12 } from '../support/pkcs12-tools.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

describe('PKCS#12 device identities', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let ca: CertificateAuthority;
  let store: SqliteEventStore;
  const logLines: string[] = [];
  const logger = jsonLogger({ write: (line) => void logLines.push(line) });

  before(async () => {
    dir = tempDir('mdm-p12-');
    ca = withCrlDistributionPoint(await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 }), 'https://mdm.example.com/crl');
    store = new SqliteEventStore(join(dir.path, 'events.db'));
  });

  after(async () => {
    await store?.close();
    dir?.remove();
  });

  it('buildPkcs12 packs key, certificate and chain so that node-forge opens them with the password only', async () => {
    const issue = pkcs12Identity({ ca, recorder: { recordIssued: async () => undefined }, logger });
    const { der, password } = await issue('11111111-2222-4333-8444-555555555555');
    const opened = openWithForge(der, password);
    expect(opened.certificatesPem).to.have.length(2);
    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, `${password}x`)).to.throw();
    // Repacked under another password, the same contents come out.
    const again = buildPkcs12({ keyPem: opened.keyPem, certificatePem: opened.certificatesPem[0]! }, 'other');
    expect(openWithForge(again, 'other').keyPem).to.equal(opened.keyPem);
  });

  it('issues CN=<enrollment id> from the CA (with its CRL), a fresh RSA 2048 key and password each time, and records the issuance before answering', async () => {
    const recorded: ScepIssuedCertificate[] = [];
    const issue = pkcs12Identity({ ca, recorder: { recordIssued: async (c) => void recorded.push(c) }, logger });
    const enrollmentId = '0e9a7c2e-3d1b-4b59-9f00-1c2d3e4f5a6b';
    const first = await issue(enrollmentId);
    const second = await issue(enrollmentId);
    expect(first.password).to.not.equal(second.password);
    expect(first.password.length).to.be.at.least(32);

    const { keyPem, certificatesPem } = openWithForge(first.der, first.password);
    const certificate = new X509Certificate(certificatesPem[0]!);
    expect(certificate.subject).to.equal(`CN=${enrollmentId}`);
    expect(certificate.verify(createPublicKey(ca.certificatePem()))).to.equal(true);
    expect(certificate.checkPrivateKey(createPrivateKey(keyPem))).to.equal(true);
    expect(createPrivateKey(keyPem).asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect(new X509Certificate(certificatesPem[1]!).fingerprint256).to.equal(new X509Certificate(ca.certificatePem()).fingerprint256);
    expect(certificate.toLegacyObject().ext_key_usage).to.include('1.3.6.1.5.5.7.3.2');
    expect(certificate.raw.includes(Buffer.from('https://mdm.example.com/crl'))).to.equal(true);

    expect(recorded).to.have.length(2);
    expect(recorded[0]).to.deep.include({ messageType: 'PKCS12', enrollmentId, transactionId: enrollmentId, serialNumber: certificate.serialNumber.toLowerCase(), sha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase() });
    expect(recorded[0]!.subject.commonName).to.equal(enrollmentId);
    expect(JSON.stringify(recorded)).to.not.contain(first.password);
    expect(logLines.join('')).to.not.contain(first.password);
    expect(logLines.join('')).to.not.contain(keyPem.split('\n')[1]!);
  });

  it('gives nothing out when the issuance cannot be recorded (Authenticate could not find its enrollment)', async () => {
    const issue = pkcs12ProfileIdentity({ ca, recorder: { recordIssued: () => Promise.reject(new Error('store down')) }, logger });
    let outcome: unknown;
    try {
      outcome = await issue('7b0c1d2e-3f40-4152-8637-48596a7b8c9d', 'unused');
    } catch (error) {
      outcome = error;
    }
    expect(outcome).to.be.instanceOf(Error);
    expect((outcome as Error).message).to.equal('store down');
  });

  it('records CertificateIssued via PKCS12 and the enrollment\'s EnrollmentIdentityIssued, as SCEP issuance does', async () => {
    const enrollments = new Enrollments(store, systemClock);
    const { enrollmentId } = await enrollments.begin({ method: 'token' });
    const identityFor = pkcs12ProfileIdentity({ ca, recorder: new EnrollmentIdentityRecorder(new IssuedCertificates(store, systemClock), enrollments, systemClock, logger), logger });
    const { pkcs12 } = await identityFor(enrollmentId, 'unused');
    const certificate = new X509Certificate(openWithForge(pkcs12!.der, pkcs12!.password).certificatesPem[0]!);
    const sha256 = certificate.fingerprint256.replace(/:/g, '').toLowerCase();

    const [issued] = await store.readStream(issuedCertificateStreamId(sha256));
    expect(issued?.type).to.equal('CertificateIssued');
    expect(issued!.data).to.deep.include({ via: 'PKCS12', enrollmentId, serialNumber: certificate.serialNumber.toLowerCase(), sha256 });
    expect(issued!.metadata.actor).to.deep.equal({ kind: 'system', id: 'pkcs12' });
    const steps = await store.readStream(`enrollment-${enrollmentId}`);
    expect(steps.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued']);
    expect(steps[1]!.data).to.deep.include({ certificateSha256: sha256, serialNumber: certificate.serialNumber.toLowerCase() });
    expect(JSON.stringify(await store.readAll())).to.not.contain(pkcs12!.password);
  });

  it('openssl opens the PKCS#12 with its password, and verifies its certificate against the CA', async function () {
    if (!opensslCliAvailable) {
      console.log('      (openssl missing: PKCS#12 not cross-checked)');
      this.skip();
    }
    const { der, password } = await pkcs12Identity({ ca, recorder: { recordIssued: async () => undefined }, logger })('5d6e7f80-91a2-4b3c-8d4e-5f60718293a4');
    writeFileSync(join(dir.path, 'identity.p12'), der);
    const opened = opensslPkcs12(join(dir.path, 'identity.p12'), password);
    expect(opened.status, opened.stderr).to.equal(0);
    expect(opened.stdout).to.contain('-----BEGIN PRIVATE KEY-----');
    expect(opened.stdout).to.contain('subject=CN = 5d6e7f80-91a2-4b3c-8d4e-5f60718293a4');
    expect(opensslPkcs12(join(dir.path, 'identity.p12'), 'wrong').status).to.not.equal(0);
    writeFileSync(join(dir.path, 'leaf.pem'), firstCertificatePem(opened.stdout));
    writeFileSync(join(dir.path, 'ca.pem'), ca.certificatePem());
    const verified = spawnSync('openssl', ['verify', '-CAfile', join(dir.path, 'ca.pem'), join(dir.path, 'leaf.pem')], { encoding: 'utf8' });
    expect(verified.stdout.trim(), verified.stderr).to.match(/: OK$/);
  });
});
