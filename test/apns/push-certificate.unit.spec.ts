import { expect } from 'chai';
import { createPrivateKey } from 'node:crypto';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import { createApnsPushSender } from '../../infrastructure/apns/apns-push-sender.js';
import { PushCertificateError, readPushCertificate } from '../../infrastructure/apns/push-certificate.js';
import { createPushCertificate, createTestCa, issueDeviceIdentity, pooledKeyPair, type PushCertificate, type TestCa } from '../support/pki.js';
import { APNS_PRODUCTION_OID, createApnsPushCertificate } from './apns-certificate-fixture.js';
import { recordingLogger, type LogLine } from './recorders.js';

const DAY = 24 * 60 * 60 * 1000;
const at = (date: Date): Clock => ({ now: () => date });

describe('push certificate checks', () => {
  let testCa: TestCa;
  let push: PushCertificate;

  before(async () => {
    testCa = await createTestCa('Push Certificate Test CA');
    push = await createPushCertificate(testCa);
  });

  function refusal(run: () => unknown): PushCertificateError {
    try {
      run();
    } catch (error) {
      expect(error).to.be.instanceOf(PushCertificateError);
      return error as PushCertificateError;
    }
    expect.fail('expected a PushCertificateError');
  }

  it('reads the topic from the subject UID, and the validity, serial and fingerprint', () => {
    const info = readPushCertificate(push.certPem, push.keyPem, new Date());
    expect(info.topic).to.equal(push.topic);
    expect(info.topic).to.match(/^com\.apple\.mgmt\.External\.[0-9a-f-]{36}$/);
    expect(info.subject).to.equal(`UID=${push.topic}, CN=APSP:${push.uuid}, OU=Test Push Team, O=Test Push Org, C=US`);
    expect(info.sha256).to.equal(push.sha256);
    expect(info.notAfter.getTime() - info.notBefore.getTime()).to.be.closeTo(365 * DAY, 2 * DAY);
    expect(info.serialNumber).to.match(/^[0-9a-f]+$/);
  });

  it('refuses a certificate without a UID', async () => {
    const device = await issueDeviceIdentity(testCa, 'DEVICE-WITHOUT-UID');
    const error = refusal(() => readPushCertificate(device.certPem, device.keyPem, new Date()));
    expect(error.message).to.include('no subject UID').and.include('0.9.2342.19200300.100.1.1').and.include('CN=DEVICE-WITHOUT-UID');
  });

  it('refuses an expired certificate, and one not yet valid', () => {
    const info = readPushCertificate(push.certPem, push.keyPem, new Date());
    const expired = refusal(() => readPushCertificate(push.certPem, push.keyPem, new Date(info.notAfter.getTime() + 1_000)));
    expect(expired.message).to.include('expired on').and.include(push.topic);
    const early = refusal(() => readPushCertificate(push.certPem, push.keyPem, new Date(info.notBefore.getTime() - DAY)));
    expect(early.message).to.include('not valid before');
  });

  it('refuses a key that belongs to another certificate', () => {
    const other = [pooledKeyPair(), pooledKeyPair()].find((k) => k.privateKeyPem !== push.keyPem)!;
    const error = refusal(() => readPushCertificate(push.certPem, other.privateKeyPem, new Date()));
    expect(error.message).to.include('does not belong');
  });

  it('refuses input that is not a certificate or not an unencrypted key, with a clear message', () => {
    expect(refusal(() => readPushCertificate('not a certificate', push.keyPem, new Date())).message).to.include('not a PEM X.509 certificate');
    expect(refusal(() => readPushCertificate(push.certPem, 'garbage', new Date())).message).to.include('not an unencrypted PEM private key');
    const encrypted = createPrivateKey(push.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    expect(refusal(() => readPushCertificate(push.certPem, encrypted, new Date())).message).to.include('not an unencrypted PEM private key');
  });

  describe('createApnsPushSender', () => {
    const options = (cert: { certPem: string; keyPem: string }, extra: { url?: string; clock?: Clock; lines?: LogLine[] } = {}) => ({
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      ...(extra.url ? { url: extra.url } : {}),
      logger: recordingLogger(extra.lines ?? []),
      clock: extra.clock ?? systemClock,
    });

    it('refuses a certificate without a UID before node-apn sees it', async () => {
      const device = await issueDeviceIdentity(testCa, 'DEVICE-WITHOUT-UID');
      expect(() => createApnsPushSender(options(device))).to.throw(PushCertificateError, /no subject UID/);
    });

    it('refuses an expired certificate by its own clock', async () => {
      const apns = await createApnsPushCertificate(testCa);
      expect(() => createApnsPushSender(options(apns, { clock: at(new Date(Date.now() + 400 * DAY)) }))).to.throw(PushCertificateError, /expired/);
    });

    it('says so when node-apn refuses a certificate without the APNs environment extension', () => {
      expect(() => createApnsPushSender(options(push, { url: 'https://127.0.0.1:9' }))).to.throw(PushCertificateError, /node-apn refused.*1\.2\.840\.113635\.100\.6\.3\.1/);
    });

    it('accepts a production push certificate for Apple\'s production host (no connection until the first push)', async () => {
      const production = await createApnsPushCertificate(testCa, { environments: [APNS_PRODUCTION_OID] });
      const lines: LogLine[] = [];
      const sender = createApnsPushSender(options(production, { lines }));
      expect(sender.endpoint).to.deep.equal({ address: 'api.push.apple.com', port: 443, isApple: true });
      expect(sender.certificate.topic).to.equal(production.topic);
      expect(lines.find((l) => l.message === 'APNs push sender ready')!.fields).to.include({ topic: production.topic, apns: 'api.push.apple.com:443' });
      await sender.close();
    });

    it('warns at start when the certificate expires within 30 days', async () => {
      const apns = await createApnsPushCertificate(testCa);
      const notAfter = readPushCertificate(apns.certPem, apns.keyPem, new Date()).notAfter;
      const lines: LogLine[] = [];
      const sender = createApnsPushSender(options(apns, { url: 'https://127.0.0.1:9', lines, clock: at(new Date(notAfter.getTime() - 10 * DAY)) }));
      await sender.close();
      const warning = lines.find((l) => l.level === 'warn');
      expect(warning?.message).to.match(/expires on .* \(10 days\)/);
    });
  });
});
