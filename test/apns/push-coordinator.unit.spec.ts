import { expect } from 'chai';
import type { PushOutcome } from '../../application/ports/push-sender.js';
import { PushCoordinator, type PushCoordinatorDependencies } from '../../application/push/push-coordinator.js';
import type { PushPolicyOverrides } from '../../application/push/push-policy.js';
import type { PushTarget } from '../../application/push/push-target.js';
import { ManualTime } from './manual-time.js';
import { RecordingMetrics, recordingLogger, ScriptedSender, type LogLine } from './recorders.js';

const TOPIC = 'com.apple.mgmt.External.7c1f0d36-5b0e-4a4e-9d4b-2f3c5e6a7b8c';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const gaps = (offsets: number[]) => offsets.map((o, i) => o - (offsets[i - 1] ?? 0));

function target(udid: string, overrides: Partial<PushTarget> = {}): PushTarget {
  return { udid, pushToken: `${udid.toLowerCase().replace(/[^0-9a-f]/g, '')}`.padEnd(64, '0').slice(0, 64), pushMagic: `magic-${udid}`, topic: TOPIC, ...overrides };
}

describe('PushCoordinator', () => {
  let time: ManualTime;
  let sender: ScriptedSender;
  let metrics: RecordingMetrics;
  let lines: LogLine[];
  let targets: Map<string, PushTarget | undefined>;
  let waiting: Set<string>;
  let invalidated: { udid: string; at: Date; pushToken: string }[];
  let coordinator: PushCoordinator;

  function start(policy: PushPolicyOverrides = {}, extra: Partial<PushCoordinatorDependencies> = {}): PushCoordinator {
    coordinator = new PushCoordinator({
      sender,
      clock: time,
      scheduler: time,
      logger: recordingLogger(lines),
      metrics,
      policy,
      pushTarget: async (udid) => targets.get(udid),
      stillWaiting: async (udid) => waiting.has(udid),
      onTokenInvalidated: async (udid, at, pushToken) => void invalidated.push({ udid, at, pushToken }),
      ...extra,
    });
    return coordinator;
  }

  beforeEach(() => {
    time = new ManualTime();
    sender = new ScriptedSender(() => time.now());
    metrics = new RecordingMetrics();
    lines = [];
    targets = new Map(['DEV-A', 'DEV-B', 'DEV-C'].map((u) => [u, target(u)]));
    waiting = new Set();
    invalidated = [];
  });
  afterEach(() => coordinator?.close());

  describe('coalescing', () => {
    it('turns many requests within the window into one push per device, in one batch', async () => {
      start({ coalesceMs: 50 });
      for (let i = 0; i < 5; i++) coordinator.requestPush('DEV-A');
      await time.advance(20);
      for (let i = 0; i < 3; i++) coordinator.requestPush('DEV-B');
      coordinator.requestPush('DEV-A');
      await time.advance(29);
      expect(sender.batches, 'nothing before the window ends').to.have.length(0);
      await time.advance(1);
      expect(sender.batches).to.have.length(1);
      expect(sender.batches[0]!.pushes.map((p) => p.udid)).to.deep.equal(['DEV-A', 'DEV-B']);
      expect(sender.batches[0]!.pushes[0]).to.deep.equal({ udid: 'DEV-A', pushToken: targets.get('DEV-A')!.pushToken, pushMagic: 'magic-DEV-A', topic: TOPIC });
    });

    it('sends a new push for a request after the window closed', async () => {
      start({ coalesceMs: 50 });
      coordinator.requestPush('DEV-A');
      await time.advance(50);
      coordinator.requestPush('DEV-A');
      await time.advance(50);
      expect(sender.sentTo('DEV-A')).to.have.length(2);
    });

    it('sends at once when the batch is full', async () => {
      start({ coalesceMs: 50, maxBatch: 2 });
      coordinator.requestPush('DEV-A');
      coordinator.requestPush('DEV-B');
      await time.advance(0);
      expect(sender.batches).to.have.length(1);
    });

    it('does not push a device that is not pushable, and ignores nonsense udids', async () => {
      targets.set('DEV-A', undefined);
      start();
      coordinator.requestPush('DEV-A');
      coordinator.requestPush('');
      coordinator.requestPush(42 as unknown as string);
      await time.advance(100);
      expect(sender.sent).to.deep.equal([]);
      expect(metrics.skips).to.deep.equal(['not-pushable']);
    });
  });

  describe('re-push while commands wait', () => {
    it('re-pushes with doubling delays and stops after the bound', async () => {
      waiting.add('DEV-A');
      start({ coalesceMs: 50, repush: { initialDelayMs: MINUTE, maxDelayMs: 3 * MINUTE, maxAttempts: 4 } });
      const t0 = time.now().getTime();
      coordinator.requestPush('DEV-A');
      await time.advance(10 * HOUR);
      const offsets = sender.sentTo('DEV-A').map((d) => d.getTime() - t0);
      // First push after the window, then 1, 2, 3 (capped), 3 minutes later, each re-push
      // coalesced through the same 50 ms window.
      expect(gaps(offsets)).to.deep.equal([50, MINUTE + 50, 2 * MINUTE + 50, 3 * MINUTE + 50, 3 * MINUTE + 50]);
      expect(metrics.giveUps).to.deep.equal(['repush-limit']);
      expect(time.pending, 'no timer left behind').to.equal(0);
    });

    it('stops when the device checks in', async () => {
      waiting.add('DEV-A');
      start({ repush: { initialDelayMs: MINUTE, maxAttempts: 5 } });
      coordinator.requestPush('DEV-A');
      await time.advance(MINUTE + 100);
      expect(sender.sentTo('DEV-A')).to.have.length(2);
      coordinator.markCheckedIn('DEV-A');
      await time.advance(DAY);
      expect(sender.sentTo('DEV-A')).to.have.length(2);
      expect(time.pending).to.equal(0);
    });

    it('does not re-push a device that checked in before APNs answered', async () => {
      waiting.add('DEV-A');
      start({ repush: { initialDelayMs: MINUTE, maxAttempts: 5 } });
      sender.answer = (p) => {
        coordinator.markCheckedIn(p.udid);
        return { kind: 'delivered', udid: p.udid };
      };
      coordinator.requestPush('DEV-A');
      await time.advance(DAY);
      expect(sender.sentTo('DEV-A')).to.have.length(1);
      expect(time.pending).to.equal(0);
    });

    it('stops when nothing waits any more', async () => {
      waiting.add('DEV-A');
      start({ repush: { initialDelayMs: MINUTE, maxAttempts: 5 } });
      coordinator.requestPush('DEV-A');
      await time.advance(100);
      waiting.delete('DEV-A');
      await time.advance(DAY);
      expect(sender.sentTo('DEV-A')).to.have.length(1);
      expect(time.pending).to.equal(0);
    });

    it('starts a fresh bounded series on a new request', async () => {
      waiting.add('DEV-A');
      start({ coalesceMs: 50, repush: { initialDelayMs: MINUTE, maxAttempts: 1 } });
      coordinator.requestPush('DEV-A');
      await time.advance(HOUR);
      expect(sender.sentTo('DEV-A')).to.have.length(2);
      coordinator.requestPush('DEV-A');
      await time.advance(HOUR);
      expect(sender.sentTo('DEV-A')).to.have.length(4);
    });

    it('keeps no timers beyond maxTrackedDevices, but still pushes', async () => {
      for (const u of ['DEV-A', 'DEV-B', 'DEV-C']) waiting.add(u);
      start({ maxTrackedDevices: 2, repush: { initialDelayMs: MINUTE, maxAttempts: 1 } });
      for (const u of ['DEV-A', 'DEV-B', 'DEV-C']) coordinator.requestPush(u);
      await time.advance(HOUR);
      expect(sender.sent.map((p) => p.udid).sort()).to.deep.equal(['DEV-A', 'DEV-A', 'DEV-B', 'DEV-B', 'DEV-C']);
      expect(metrics.skips).to.include('tracking-full');
    });
  });

  describe('retryable failures', () => {
    it('retries with backoff and gives up after the bound', async () => {
      sender.answer = (p) => ({ kind: 'retryable', udid: p.udid, reason: 'TooManyRequests', status: 429 });
      start({ coalesceMs: 50, retry: { initialDelayMs: 5_000, maxDelayMs: 20_000, maxAttempts: 4 } });
      const t0 = time.now().getTime();
      coordinator.requestPush('DEV-A');
      await time.advance(DAY);
      const offsets = sender.sentTo('DEV-A').map((d) => d.getTime() - t0);
      expect(gaps(offsets)).to.deep.equal([50, 5_050, 10_050, 20_050, 20_050]);
      expect(metrics.giveUps).to.deep.equal(['retry-limit']);
      expect(invalidated).to.deep.equal([]);
    });

    it('goes back to re-pushing once a retry is delivered', async () => {
      waiting.add('DEV-A');
      let failures = 2;
      sender.answer = (p) => (failures-- > 0 ? { kind: 'retryable', udid: p.udid, reason: 'ServiceUnavailable', status: 503 } : { kind: 'delivered', udid: p.udid });
      start({ retry: { initialDelayMs: 1_000, maxAttempts: 5 }, repush: { initialDelayMs: MINUTE, maxAttempts: 1 } });
      coordinator.requestPush('DEV-A');
      await time.advance(HOUR);
      expect(sender.sentTo('DEV-A')).to.have.length(4);
      expect(metrics.outcomes).to.deep.equal(['retryable', 'retryable', 'delivered', 'delivered']);
    });

    it('treats a sender that throws, or a failing lookup, as retryable and does not crash', async () => {
      let throwing = true;
      const flaky = {
        send: async (pushes: readonly { udid: string }[]): Promise<PushOutcome[]> => {
          if (throwing) throw new Error('boom');
          return pushes.map((p) => ({ kind: 'delivered' as const, udid: p.udid }));
        },
      };
      let lookups = 0;
      start({ retry: { initialDelayMs: 1_000, maxAttempts: 5 } }, {
        sender: flaky,
        pushTarget: async (udid) => {
          if (++lookups === 1) throw new Error('store unavailable');
          return targets.get(udid);
        },
      });
      coordinator.requestPush('DEV-A');
      await time.advance(1_100);
      expect(lines.some((l) => l.message === 'push target lookup failed')).to.equal(true);
      await time.advance(2_100);
      expect(lines.some((l) => l.level === 'error' && l.message === 'push sender failed')).to.equal(true);
      throwing = false;
      await time.advance(10_000);
      expect(metrics.outcomes).to.deep.equal(['retryable', 'retryable', 'delivered']);
    });
  });

  describe('410 Unregistered', () => {
    const gone = (at: Date) => (p: { udid: string }): PushOutcome => ({ kind: 'unregistered', udid: p.udid, at, reason: 'Unregistered' });

    it('reports the token once, and pushes that token again at most once a day, a bounded number of times', async () => {
      waiting.add('DEV-A');
      const at = new Date(time.now().getTime() - 3_600_000);
      sender.answer = gone(at);
      start({ unregisteredRetryMs: DAY, unregisteredMaxAttempts: 3 });
      coordinator.requestPush('DEV-A');
      await time.advance(1_000);
      expect(invalidated).to.deep.equal([{ udid: 'DEV-A', at, pushToken: targets.get('DEV-A')!.pushToken }]);
      expect(metrics.invalidations).to.equal(1);

      for (let i = 0; i < 5; i++) coordinator.requestPush('DEV-A');
      await time.advance(HOUR);
      expect(sender.sentTo('DEV-A'), 'held back within the day').to.have.length(1);
      expect(metrics.skips).to.include('token-unregistered');

      await time.advance(10 * DAY);
      const sends = sender.sentTo('DEV-A');
      expect(sends).to.have.length(3);
      for (let i = 1; i < sends.length; i++) expect(sends[i]!.getTime() - sends[i - 1]!.getTime()).to.be.at.least(DAY);
      expect(invalidated, 'still reported once').to.have.length(1);
      expect(metrics.giveUps).to.deep.equal(['unregistered-limit']);
    });

    it('pushes a new token at once, and reports it separately when it too is gone', async () => {
      sender.answer = gone(time.now());
      start();
      coordinator.requestPush('DEV-A');
      await time.advance(1_000);
      targets.set('DEV-A', target('DEV-A', { pushToken: 'ab'.repeat(32) }));
      coordinator.requestPush('DEV-A');
      await time.advance(1_000);
      expect(sender.sentTo('DEV-A')).to.have.length(2);
      expect(invalidated.map((i) => i.pushToken)).to.deep.equal([target('DEV-A').pushToken, 'ab'.repeat(32)]);
    });

    it('trusts the store: a token already recorded invalid is not reported again and waits out its day', async () => {
      targets.set('DEV-A', target('DEV-A', { tokenInvalidatedAt: new Date(time.now().getTime() - HOUR) }));
      sender.answer = gone(time.now());
      start();
      coordinator.requestPush('DEV-A');
      await time.advance(1_000);
      expect(sender.sent).to.deep.equal([]);
      coordinator.close();
      start();
      await time.advance(DAY);
      coordinator.requestPush('DEV-A');
      await time.advance(1_000);
      expect(sender.sentTo('DEV-A')).to.have.length(1);
      expect(invalidated).to.deep.equal([]);
    });

    it('reports again on the next attempt when recording the invalidation failed', async () => {
      let failures = 1;
      sender.answer = gone(time.now());
      start({ unregisteredRetryMs: DAY }, {
        onTokenInvalidated: async (udid, at, pushToken) => {
          if (failures-- > 0) throw new Error('append failed');
          invalidated.push({ udid, at, pushToken });
        },
      });
      waiting.add('DEV-A');
      coordinator.requestPush('DEV-A');
      await time.advance(DAY + 1_000);
      expect(invalidated).to.have.length(1);
      expect(lines.some((l) => l.level === 'error' && l.message === 'recording the invalidated push token failed')).to.equal(true);
    });
  });

  describe('configuration faults', () => {
    const fault = (reason: string, status: number) => (p: { udid: string }): PushOutcome => ({ kind: 'configuration-fault', udid: p.udid, reason, status });

    it('raises one alarm, opens the topic circuit, and never invalidates a token', async () => {
      sender.answer = fault('BadCertificate', 403);
      start({ coalesceMs: 50, circuitCooldownMs: 10 * MINUTE });
      const t0 = time.now().getTime();
      coordinator.requestPush('DEV-A');
      coordinator.requestPush('DEV-B');
      await time.advance(100);
      expect(sender.sent).to.have.length(2);
      const alarms = lines.filter((l) => l.level === 'error');
      expect(alarms, 'one alarm for the topic, not one per device').to.have.length(1);
      expect(alarms[0]!.fields).to.include({ topic: TOPIC, reason: 'BadCertificate', status: 403 });
      expect(metrics.faults).to.deep.equal([{ topic: TOPIC, reason: 'BadCertificate' }, { topic: TOPIC, reason: 'BadCertificate' }]);
      expect(coordinator.health()).to.deep.equal({
        status: 'fault',
        reason: 'BadCertificate',
        since: new Date(t0 + 50).toISOString(),
        topic: TOPIC,
        reopensAt: new Date(t0 + 50 + 10 * MINUTE).toISOString(),
        topics: 1,
      });

      coordinator.requestPush('DEV-C');
      const held = await coordinator.flush();
      expect(held).to.deep.equal([{ kind: 'circuit-open', udid: 'DEV-C', topic: TOPIC }]);
      expect(sender.sent, 'nothing more reaches APNs while open').to.have.length(2);
      expect(invalidated).to.deep.equal([]);
      expect(metrics.invalidations).to.equal(0);
    });

    it('treats 400 BadDeviceToken from APNs as a configuration fault too', async () => {
      sender.answer = (p) => ({ kind: 'bad-device-token', udid: p.udid, reason: 'BadDeviceToken', status: 400 });
      start();
      coordinator.requestPush('DEV-A');
      await time.advance(100);
      expect(coordinator.health()).to.deep.include({ status: 'fault', reason: 'BadDeviceToken' });
      expect(invalidated).to.deep.equal([]);
    });

    it('drops, without alarm, a push whose token was refused locally as malformed', async () => {
      sender.answer = (p) => ({ kind: 'bad-device-token', udid: p.udid, reason: 'MalformedDeviceToken' });
      start();
      coordinator.requestPush('DEV-A');
      await time.advance(DAY);
      expect(coordinator.health()).to.deep.equal({ status: 'ok' });
      expect(sender.sent).to.have.length(1);
      expect(lines.filter((l) => l.level === 'error')).to.deep.equal([]);
    });

    it('probes with one push after the cool-down, backs off on failure, and resumes every held device on success', async () => {
      sender.answer = fault('BadCertificateEnvironment', 403);
      start({ coalesceMs: 50, circuitCooldownMs: 10 * MINUTE, circuitMaxCooldownMs: HOUR });
      const t0 = time.now().getTime();
      coordinator.requestPush('DEV-A');
      await time.advance(100);
      coordinator.requestPush('DEV-B');
      coordinator.requestPush('DEV-C');
      await time.advance(100);
      expect(sender.sent).to.have.length(1);

      await time.advance(10 * MINUTE);
      expect(sender.sent, 'exactly one probe').to.have.length(2);
      expect(metrics.circuits.map((c) => c.state)).to.deep.equal(['open', 'half-open', 'open']);

      // The failed probe doubled the cool-down: nothing for 20 minutes.
      await time.advance(19 * MINUTE);
      expect(sender.sent).to.have.length(2);

      sender.answer = (p) => ({ kind: 'delivered', udid: p.udid });
      await time.advance(2 * MINUTE);
      expect(metrics.circuits.map((c) => c.state)).to.deep.equal(['open', 'half-open', 'open', 'half-open', 'closed']);
      expect(coordinator.health()).to.deep.equal({ status: 'ok' });
      expect(new Set(sender.sent.slice(3).map((p) => p.udid)), 'the others follow the probe').to.have.property('size', 2);
      expect(new Set(sender.sent.map((p) => p.udid))).to.deep.equal(new Set(['DEV-A', 'DEV-B', 'DEV-C']));
      expect(sender.batches.at(-1)!.at.getTime() - t0).to.be.lessThan(31 * MINUTE + 1_000);
      expect(invalidated).to.deep.equal([]);
    });

    it('keeps the circuit per topic: other topics still push', async () => {
      targets.set('DEV-B', target('DEV-B', { topic: 'com.apple.mgmt.External.other' }));
      sender.answer = (p) => (p.topic === TOPIC ? fault('DeviceTokenNotForTopic', 400)(p) : { kind: 'delivered', udid: p.udid });
      start();
      coordinator.requestPush('DEV-A');
      await time.advance(100);
      coordinator.requestPush('DEV-B');
      coordinator.requestPush('DEV-C');
      const outcomes = await coordinator.flush();
      expect(outcomes.map((o) => `${o.udid}:${o.kind}`).sort()).to.deep.equal(['DEV-B:delivered', 'DEV-C:circuit-open']);
    });
  });

  it('stops all timers on close and ignores later requests', async () => {
    waiting.add('DEV-A');
    start();
    coordinator.requestPush('DEV-A');
    await time.advance(100);
    expect(time.pending).to.be.greaterThan(0);
    coordinator.close();
    coordinator.requestPush('DEV-B');
    await time.advance(DAY);
    expect(sender.sent).to.have.length(1);
  });
});
