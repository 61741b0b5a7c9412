import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../application/ports/clock.js';
import { PushCoordinator } from '../../application/push/push-coordinator.js';
import type { PushPolicyOverrides } from '../../application/push/push-policy.js';
import type { PushTarget } from '../../application/push/push-target.js';
import { createApnsPushSender, type ApnsPushSender } from '../../infrastructure/apns/apns-push-sender.js';
import { ApnsStandIn, type RecordedPush } from '../support/apns-standin.js';
import { createTestCa, issueServerCertificate, type PushCertificate, type TestCa } from '../support/pki.js';
import { createApnsPushCertificate } from './apns-certificate-fixture.js';
import { RecordingMetrics, recordingLogger, type LogLine } from './recorders.js';
import { eventually } from '../support/eventually.js';

/** The push policy with the real adapter, real timers and the HTTP/2 stand-in: what a device would see. */
describe('PushCoordinator with the APNs adapter and stand-in', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let pushCert: PushCertificate;
  let standIn: ApnsStandIn;
  let sender: ApnsPushSender;
  let coordinator: PushCoordinator | undefined;
  let targets: Map<string, PushTarget>;
  let waiting: Set<string>;
  let invalidated: { udid: string; at: Date; pushToken: string }[];
  let metrics: RecordingMetrics;
  let lines: LogLine[];

  const token = (i: number) => i.toString(16).padStart(2, '0').repeat(32);

  function start(policy: PushPolicyOverrides): PushCoordinator {
    coordinator = new PushCoordinator({
      sender,
      clock: systemClock,
      logger: recordingLogger(lines),
      metrics,
      policy: { coalesceMs: 30, ...policy },
      pushTarget: async (udid) => targets.get(udid),
      stillWaiting: async (udid) => waiting.has(udid),
      onTokenInvalidated: async (udid, at, pushToken) => void invalidated.push({ udid, at, pushToken }),
    });
    return coordinator;
  }

  async function quiet(ms = 150): Promise<void> {
    await sleep(ms);
  }

  /** Polls until `check` passes; real timers under a loaded machine need slack, not fixed sleeps. */
  before(async () => {
    testCa = await createTestCa('APNs Policy Test CA');
    const serverCert = await issueServerCertificate(testCa, ['127.0.0.1']);
    pushCert = await createApnsPushCertificate(testCa);
    standIn = await ApnsStandIn.start({ certPem: serverCert.certPem, keyPem: serverCert.keyPem, clientCaPem: testCa.certPem });
    sender = createApnsPushSender({
      certPem: pushCert.certPem,
      keyPem: pushCert.keyPem,
      url: standIn.url,
      caPem: testCa.certPem,
      logger: recordingLogger(),
      clock: systemClock,
    });
  });
  after(async () => {
    await sender?.close();
    await standIn?.stop();
  });
  beforeEach(() => {
    standIn.reset();
    targets = new Map([1, 2, 3].map((i) => [`DEVICE-${i}`, { udid: `DEVICE-${i}`, pushToken: token(i), pushMagic: `MAGIC-${i}`, topic: pushCert.topic }]));
    waiting = new Set();
    invalidated = [];
    metrics = new RecordingMetrics();
    lines = [];
  });
  afterEach(() => {
    coordinator?.close();
    coordinator = undefined;
  });

  it('coalesces a burst of requests into one push per device at APNs', async () => {
    start({});
    for (let round = 0; round < 10; round++) for (const udid of targets.keys()) coordinator!.requestPush(udid);
    await eventually(() => expect(standIn.pushes).to.have.length(3));
    await quiet();
    expect(standIn.pushes.map((p) => p.token).sort()).to.deep.equal([token(1), token(2), token(3)]);
    expect(standIn.pushes.map((p) => p.body).sort()).to.deep.equal(['{"mdm":"MAGIC-1"}', '{"mdm":"MAGIC-2"}', '{"mdm":"MAGIC-3"}']);
  });

  it('wakes a listening device, and re-pushes (bounded) only while it stays silent', async () => {
    waiting.add('DEVICE-1').add('DEVICE-2');
    start({ repush: { initialDelayMs: 60, maxDelayMs: 120, maxAttempts: 2 } });
    // DEVICE-1 behaves: it checks in as soon as it is pushed. DEVICE-2 never answers.
    const off = standIn.onPush((push: RecordedPush) => {
      if (push.token === token(1)) coordinator!.markCheckedIn('DEVICE-1');
    });
    coordinator!.requestPush('DEVICE-1');
    coordinator!.requestPush('DEVICE-2');
    await eventually(() => expect(metrics.giveUps).to.deep.equal(['repush-limit']));
    await quiet(300);
    off();
    const count = (t: string) => standIn.pushes.filter((p) => p.token === t).length;
    expect(count(token(1))).to.equal(1);
    expect(count(token(2)), 'first push and two re-pushes').to.equal(3);
    expect(metrics.giveUps).to.deep.equal(['repush-limit']);
  });

  it('410 at APNs → onTokenInvalidated once, with APNs\' timestamp; no more pushes to that token today', async () => {
    standIn.answer(token(2), { status: 410, reason: 'Unregistered', timestamp: Date.now() - 60_000 });
    waiting.add('DEVICE-2');
    start({});
    coordinator!.requestPush('DEVICE-2');
    await eventually(() => expect(invalidated).to.have.length(1));
    coordinator!.requestPush('DEVICE-2');
    coordinator!.requestPush('DEVICE-2');
    await quiet();
    expect(standIn.pushes).to.have.length(1);
    expect(invalidated).to.have.length(1);
    expect(invalidated[0]).to.deep.include({ udid: 'DEVICE-2', pushToken: token(2) });
    expect(Date.now() - invalidated[0]!.at.getTime()).to.be.within(60_000, 70_000);
  });

  it('a 403 certificate fault opens the circuit: alarm, health detail, nothing more to APNs, tokens kept; a probe later resumes', async () => {
    let broken = true;
    standIn.addRule(() => (broken ? { status: 403, reason: 'BadCertificate' } : undefined));
    start({ circuitCooldownMs: 300 });
    coordinator!.requestPush('DEVICE-1');
    await eventually(() => expect(coordinator!.health().status).to.equal('fault'));
    expect(standIn.pushes).to.have.length(1);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.fields['reason'])).to.deep.equal(['BadCertificate']);
    expect(coordinator!.health()).to.deep.include({ status: 'fault', reason: 'BadCertificate', topic: pushCert.topic });

    coordinator!.requestPush('DEVICE-2');
    coordinator!.requestPush('DEVICE-3');
    await quiet(100);
    expect(standIn.pushes, 'held back while the circuit is open').to.have.length(1);

    broken = false;
    await eventually(() => expect(standIn.pushes).to.have.length(4));
    expect(coordinator!.health()).to.deep.equal({ status: 'ok' });
    expect(standIn.pushes.slice(1).map((p) => p.token).sort()).to.deep.equal([token(1), token(2), token(3)]);
    expect(standIn.pushes.slice(1).every((p) => p.status === 200)).to.equal(true);
    expect(invalidated).to.deep.equal([]);
    expect(metrics.faults).to.deep.equal([{ topic: pushCert.topic, reason: 'BadCertificate' }]);
  });

  it('retries after 429 and 503 until APNs accepts', async () => {
    const answers = [{ status: 429, reason: 'TooManyRequests' }, { status: 503, reason: 'ServiceUnavailable' }];
    standIn.addRule(() => answers.shift());
    start({ retry: { initialDelayMs: 50, maxAttempts: 5 } });
    coordinator!.requestPush('DEVICE-3');
    await eventually(() => expect(standIn.pushes.map((p) => p.status)).to.deep.equal([429, 503, 200]));
    await eventually(() => expect(metrics.outcomes).to.deep.equal(['retryable', 'retryable', 'delivered']));
  });
});
