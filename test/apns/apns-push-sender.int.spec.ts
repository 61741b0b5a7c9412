import { expect } from 'chai';
import { connect } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { systemClock } from '../../application/ports/clock.js';
import type { MdmPush, PushOutcome } from '../../application/ports/push-sender.js';
import { createApnsPushSender, type ApnsPushSender, type ApnsPushSenderOptions } from '../../infrastructure/apns/apns-push-sender.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { createTestCa, issueServerCertificate, type PushCertificate, type TestCa, type TestCertificate } from '../support/pki.js';
import { createApnsPushCertificate } from './apns-certificate-fixture.js';
import { recordingLogger, type LogLine } from './recorders.js';

const TOKEN_A = 'a1'.repeat(32);
const TOKEN_B = 'b2'.repeat(32);
const MAGIC = '9A6A2C61-3E5A-4B8F-8D6E-0C1F2A3B4C5D';

describe('APNs push sender (node-apn) against the HTTP/2 stand-in', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let serverCert: TestCertificate;
  let pushCert: PushCertificate;
  let standIn: ApnsStandIn;
  let sender: ApnsPushSender | undefined;
  let lines: LogLine[];

  const push = (token = TOKEN_A, udid = `udid-${token.slice(0, 4)}`): MdmPush => ({ udid, pushToken: token, pushMagic: MAGIC, topic: pushCert.topic });

  function open(overrides: Partial<ApnsPushSenderOptions> = {}): ApnsPushSender {
    sender = createApnsPushSender({
      certPem: pushCert.certPem,
      keyPem: pushCert.keyPem,
      url: standIn.url,
      caPem: testCa.certPem,
      logger: recordingLogger(lines),
      clock: systemClock,
      requestTimeoutMs: 1_000,
      ...overrides,
    });
    return sender;
  }

  before(async () => {
    testCa = await createTestCa('APNs Stand-in Test CA');
    serverCert = await issueServerCertificate(testCa, ['127.0.0.1']);
    pushCert = await createApnsPushCertificate(testCa);
    standIn = await ApnsStandIn.start({ certPem: serverCert.certPem, keyPem: serverCert.keyPem, clientCaPem: testCa.certPem });
  });
  after(async () => {
    await standIn?.stop();
  });
  beforeEach(() => {
    standIn.reset();
    lines = [];
  });
  afterEach(async () => {
    await sender?.close();
    sender = undefined;
  });

  it('POSTs /3/device/<token> with the MDM headers and exactly {"mdm": PushMagic}, over TLS with the push certificate', async () => {
    const before = Math.floor(Date.now() / 1000);
    const [outcome] = await open().send([push()]);
    const after = Math.floor(Date.now() / 1000);

    expect(standIn.pushes).to.have.length(1);
    const seen = standIn.pushes[0]!;
    expect(seen.method).to.equal('POST');
    expect(seen.path).to.equal(`/3/device/${TOKEN_A}`);
    expect(seen.headers['apns-push-type']).to.equal('mdm');
    expect(seen.headers['apns-topic']).to.equal(pushCert.topic);
    expect(seen.headers['apns-priority']).to.equal('10');
    expect(seen.headers['apns-expiration']).to.match(/^\d+$/);
    const expiration = Number(seen.headers['apns-expiration']);
    expect(expiration).to.be.within(before + 86_400, after + 86_400);
    expect(seen.body).to.equal(`{"mdm":"${MAGIC}"}`);
    expect(Object.keys(JSON.parse(seen.body) as object)).to.deep.equal(['mdm']);
    expect(seen.clientSubject['UID']).to.equal(pushCert.topic);
    expect(seen.clientSubject['CN']).to.equal(`APSP:${pushCert.uuid}`);
    expect(outcome).to.deep.equal({ kind: 'delivered', udid: 'udid-a1a1', apnsId: seen.apnsId });
  });

  it('sets the expiration from its option and sends the token as lower-case hex', async () => {
    const now = Math.floor(Date.now() / 1000);
    await open({ expirationSeconds: 3_600 }).send([push(TOKEN_B.toUpperCase())]);
    expect(Number(standIn.pushes[0]!.headers['apns-expiration'])).to.be.within(now + 3_599, now + 3_602);
    expect(standIn.pushes[0]!.path).to.equal(`/3/device/${TOKEN_B}`);
  });

  it('reuses one HTTP/2 connection and answers each push in order', async () => {
    standIn.answer(TOKEN_B, { status: 410, reason: 'Unregistered', timestamp: 1_700_000_000_000 });
    const tokens = [TOKEN_A, TOKEN_B, 'c3'.repeat(32), 'd4'.repeat(32)];
    const outcomes = await open().send(tokens.map((t) => push(t)));
    expect(outcomes.map((o) => o.kind)).to.deep.equal(['delivered', 'unregistered', 'delivered', 'delivered']);
    expect(standIn.pushes.map((p) => p.token).sort()).to.deep.equal([...tokens].sort());
    await sender!.send([push()]);
    expect(standIn.connections).to.equal(1);
  });

  describe('maps each APNs answer to its outcome', () => {
    const cases: { answer: { status: number; reason: string; timestamp?: number }; expected: Partial<PushOutcome> }[] = [
      { answer: { status: 410, reason: 'Unregistered', timestamp: 1_736_900_000_123 }, expected: { kind: 'unregistered', reason: 'Unregistered' } },
      { answer: { status: 400, reason: 'BadDeviceToken' }, expected: { kind: 'bad-device-token', reason: 'BadDeviceToken', status: 400 } },
      { answer: { status: 400, reason: 'DeviceTokenNotForTopic' }, expected: { kind: 'configuration-fault', reason: 'DeviceTokenNotForTopic', status: 400 } },
      { answer: { status: 400, reason: 'TopicDisallowed' }, expected: { kind: 'configuration-fault', reason: 'TopicDisallowed', status: 400 } },
      { answer: { status: 403, reason: 'BadCertificate' }, expected: { kind: 'configuration-fault', reason: 'BadCertificate', status: 403 } },
      { answer: { status: 403, reason: 'BadCertificateEnvironment' }, expected: { kind: 'configuration-fault', reason: 'BadCertificateEnvironment', status: 403 } },
      { answer: { status: 429, reason: 'TooManyRequests' }, expected: { kind: 'retryable', reason: 'TooManyRequests', status: 429 } },
      { answer: { status: 500, reason: 'InternalServerError' }, expected: { kind: 'retryable', status: 500 } },
      { answer: { status: 503, reason: 'ServiceUnavailable' }, expected: { kind: 'retryable', reason: 'ServiceUnavailable', status: 503 } },
    ];
    for (const { answer, expected } of cases) {
      it(`${answer.status} ${answer.reason} → ${expected.kind}`, async () => {
        standIn.answer(TOKEN_A, answer);
        const [outcome] = await open().send([push()]);
        expect(outcome).to.deep.include({ udid: 'udid-a1a1', ...expected });
        if (answer.timestamp) expect((outcome as { at: Date }).at.toISOString()).to.equal(new Date(answer.timestamp).toISOString());
        // node-apn's own retries are off: the push policy owns retrying.
        expect(standIn.pushes, 'sent exactly once').to.have.length(1);
      });
    }

    it('410 without a timestamp → unregistered at the time of sending', async () => {
      standIn.answer(TOKEN_A, { status: 410, reason: 'Unregistered' });
      const before = Date.now();
      const [outcome] = await open().send([push()]);
      expect(outcome!.kind).to.equal('unregistered');
      expect((outcome as { at: Date }).at.getTime()).to.be.within(before, Date.now());
    });

    it('a timeout → retryable Timeout', async () => {
      standIn.answer(TOKEN_A, { status: 200, delayMs: 1_500 });
      const [outcome] = await open({ requestTimeoutMs: 300 }).send([push()]);
      expect(outcome).to.deep.equal({ kind: 'retryable', udid: 'udid-a1a1', reason: 'Timeout' });
    });

    it('a dropped connection → retryable', async () => {
      standIn.answer(TOKEN_A, { status: 200, hangUp: true });
      const [outcome] = await open().send([push()]);
      expect(outcome!.kind).to.equal('retryable');
      // And the next push opens a fresh connection.
      const [next] = await sender!.send([push(TOKEN_B)]);
      expect(next!.kind).to.equal('delivered');
    });
  });

  it('connection refused → retryable ConnectionRefused, quickly', async () => {
    const port = await closedPort();
    const started = Date.now();
    const outcomes = await open({ url: `https://127.0.0.1:${port}` }).send([push(), push(TOKEN_B)]);
    expect(outcomes.map((o) => o.kind)).to.deep.equal(['retryable', 'retryable']);
    expect(outcomes[0]).to.deep.include({ reason: 'ConnectionRefused' });
    expect(Date.now() - started).to.be.lessThan(900);
  });

  it('refuses locally, without a request, a malformed token or PushMagic and a topic the certificate does not carry', async () => {
    const outcomes = await open().send([
      push('not-hex'),
      push('abc'),
      { ...push(), pushMagic: 'has space' },
      { ...push(), pushMagic: '' },
      { ...push(), topic: 'com.apple.mgmt.External.someone-else' },
      { ...push(), pushToken: 42 as unknown as string },
    ]);
    expect(outcomes.map((o) => [o.kind, (o as { reason?: string }).reason])).to.deep.equal([
      ['bad-device-token', 'MalformedDeviceToken'],
      ['bad-device-token', 'MalformedDeviceToken'],
      ['bad-device-token', 'MalformedPushMagic'],
      ['bad-device-token', 'MalformedPushMagic'],
      ['configuration-fault', 'TopicNotInCertificate'],
      ['bad-device-token', 'MalformedDeviceToken'],
    ]);
    expect(outcomes.every((o) => !('status' in o))).to.equal(true);
    expect(standIn.pushes).to.deep.equal([]);
  });

  it('never logs the PushMagic or the key, and rejects sends after close', async () => {
    standIn.answer(TOKEN_A, { status: 403, reason: 'BadCertificate' });
    const s = open();
    await s.send([push()]);
    await s.close();
    const log = JSON.stringify(lines);
    expect(log).not.to.include(MAGIC);
    expect(log).not.to.include(pushCert.keyPem.split('\n')[1]!);
    let error: unknown;
    await s.send([push()]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
  });

  it('the stand-in refuses a TLS client without a certificate', async () => {
    const session = connect(standIn.url, { ca: testCa.certPem });
    const failure = await new Promise<Error | undefined>((resolve) => {
      session.on('error', resolve);
      const request = session.request({ ':method': 'POST', ':path': `/3/device/${TOKEN_A}` });
      request.on('error', resolve);
      request.on('response', () => resolve(undefined));
      request.end('{}');
    });
    session.destroy();
    expect(failure).to.be.instanceOf(Error);
    expect(standIn.tlsRejections).to.equal(1);
    expect(standIn.pushes).to.deep.equal([]);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
