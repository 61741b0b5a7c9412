import { expect } from 'chai';
import express from 'express';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CertificateRevocations } from '../../application/certificates/certificate-revocations.js';
import { IssuedCertificates, issuedCertificateStreamId, type CertificateIssued } from '../../application/certificates/issued-certificates.js';
import { RenewalChallenges } from '../../application/certificates/renewal-challenges.js';
import { systemClock } from '../../application/ports/clock.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AnyScepChallenge } from '../../infrastructure/scep/any-scep-challenge.js';
import { openOrCreateScepRa, type ScepRegistrationAuthority } from '../../infrastructure/scep/scep-registration-authority.js';
import { createScepRouter } from '../../infrastructure/scep/scep-router.js';
import { ScepService } from '../../infrastructure/scep/scep-service.js';
import { StaticScepChallenge } from '../../infrastructure/scep/static-scep-challenge.js';
import { createTestCa, issueDeviceIdentity, pooledKeyPair, type TestCa, type TestCertificate, type TestKeyPair } from '../support/pki.js';
import { buildPkiMessage, issuedCertificate, parseCertRep, selfSignedSigner, type ScepClientIdentity } from '../support/scep-client-message.js';
import { tempDir } from '../support/temp-dir.js';

const DAY = 24 * 3600_000;

function keyPairOf(privateKeyPem: string): TestKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, privateKeyPem, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('SCEP and revocation: renewal challenges, RenewalReq', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let testCa: TestCa;
  let ra: ScepRegistrationAuthority;
  let http: Server;
  let url: string;
  let revocations: CertificateRevocations;
  let challenges: RenewalChallenges;

  before(async () => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    testCa = await createTestCa('SCEP Renewal CA');
    ra = await openOrCreateScepRa(testCa.ca, dir.path);
    revocations = new CertificateRevocations(store, systemClock);
    challenges = new RenewalChallenges(store, systemClock, (sha256) => revocations.isRevoked(sha256));
    const service = new ScepService({
      ca: testCa.ca, ra, challenges: new AnyScepChallenge([challenges, new StaticScepChallenge('static-secret')]),
      recorder: new IssuedCertificates(store, systemClock), isRevoked: (sha256) => revocations.isRevoked(sha256),
    });
    const app = express();
    app.use('/scep', createScepRouter(service));
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/scep?operation=PKIOperation`;
  });

  after(async () => {
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    await store?.close();
    dir?.remove();
  });

  const post = async (message: Buffer) => parseCertRep(Buffer.from(await (await fetch(url, { method: 'POST', body: message })).arrayBuffer()));
  const signerOf = (device: TestCertificate): ScepClientIdentity => ({ key: keyPairOf(device.keyPem), certPem: device.certPem, certDer: device.der });
  const issuedRecord = async (pem: string) => {
    const sha256 = new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    return (await store.readStream(issuedCertificateStreamId(sha256)))[0]?.data as CertificateIssued['data'];
  };

  it('a renewal challenge gets CN=<UDID> only, once, and the certificate is recorded as the renewal of the old one', async () => {
    const old = await issueDeviceIdentity(testCa, 'UDID-RENEW-1');
    const challenge = await challenges.issue({ udid: 'UDID-RENEW-1', renewalOf: old.issued!.sha256, expiresAt: new Date(Date.now() + 10 * DAY) });
    const client = selfSignedSigner(pooledKeyPair(), 'UDID-RENEW-1');
    // Another name with the same challenge: refused, and the challenge is not spent by it.
    expect(await post(buildPkiMessage(client, ra.certificatePem, { commonName: 'UDID-SOMEONE-ELSE', challenge }))).to.include({ pkiStatus: '2', failInfo: '2' });
    const rep = await post(buildPkiMessage(client, ra.certificatePem, { commonName: 'UDID-RENEW-1', challenge }));
    expect(rep.pkiStatus).to.equal('0');
    const pem = issuedCertificate(rep.content, client);
    expect(new X509Certificate(pem).subject).to.contain('CN=UDID-RENEW-1');
    expect(await issuedRecord(pem)).to.include({ via: 'PKCSReq', renewalOf: old.issued!.sha256, udid: 'UDID-RENEW-1' });
    expect(await post(buildPkiMessage(client, ra.certificatePem, { commonName: 'UDID-RENEW-1', challenge })), 'spent').to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('a renewal challenge is worthless once the certificate it renews was revoked (the device left meanwhile)', async () => {
    const old = await issueDeviceIdentity(testCa, 'UDID-RENEW-2');
    const challenge = await challenges.issue({ udid: 'UDID-RENEW-2', renewalOf: old.issued!.sha256, expiresAt: new Date(Date.now() + 10 * DAY) });
    await revocations.revoke({ sha256: old.issued!.sha256, reason: 'checked-out', actor: { kind: 'device', id: 'UDID-RENEW-2' } });
    const client = selfSignedSigner(pooledKeyPair(), 'UDID-RENEW-2');
    expect(await post(buildPkiMessage(client, ra.certificatePem, { commonName: 'UDID-RENEW-2', challenge }))).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('a RenewalReq is refused (badRequest) when signed by a revoked certificate, and recorded as a renewal otherwise', async () => {
    const good = await issueDeviceIdentity(testCa, 'UDID-RENEWALREQ-1');
    const rep = await post(buildPkiMessage(signerOf(good), ra.certificatePem, { commonName: 'UDID-RENEWALREQ-1', messageType: 17 }));
    expect(rep.pkiStatus).to.equal('0');
    expect(await issuedRecord(issuedCertificate(rep.content, signerOf(good)))).to.include({ via: 'RenewalReq', renewalOf: good.issued!.sha256 });

    const bad = await issueDeviceIdentity(testCa, 'UDID-RENEWALREQ-2');
    await revocations.revoke({ sha256: bad.issued!.sha256, reason: 'wiped', actor: { kind: 'admin', id: 'test' } });
    expect(await post(buildPkiMessage(signerOf(bad), ra.certificatePem, { commonName: 'UDID-RENEWALREQ-2', messageType: 17 }))).to.include({ pkiStatus: '2', failInfo: '2' });
  });
});
