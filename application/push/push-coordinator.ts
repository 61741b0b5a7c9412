import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { MdmPush, PushOutcome, PushSender } from '../ports/push-sender.js';
import { DeviceTimers } from './device-timers.js';
import { ParkedDevices } from './parked-devices.js';
import { noPushMetrics, type PushMetrics } from './push-metrics.js';
import { pushHealth, type PushHealth } from './push-health.js';
import { resolvePushPolicy, type PushPolicy, type PushPolicyOverrides } from './push-policy.js';
import type { PushTarget, PushTargetLookup } from './push-target.js';
import { systemScheduler, type Scheduler } from './scheduler.js';
import { TopicCircuitBreaker, type Admission } from './topic-circuit-breaker.js';
import { UnregisteredTokens } from './unregistered-tokens.js';

export interface PushCoordinatorDependencies {
  readonly sender: PushSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  readonly metrics?: PushMetrics;
  readonly policy?: PushPolicyOverrides;
  /** The device's current push coordinates; undefined when it must not be pushed. */
  readonly pushTarget: PushTargetLookup;
  /** True while the device has commands it has not fetched or answered. */
  readonly stillWaiting: (udid: string) => Promise<boolean>;
  /** APNs said the token is gone: record PushTokenInvalidated. Called once per token. */
  readonly onTokenInvalidated: (udid: string, at: Date, pushToken: string) => Promise<void>;
}

interface Admitted {
  readonly target: PushTarget;
  readonly admission: Admission;
}

const MAX_UDID_LENGTH = 256;

/**
 * Decides when devices are pushed. Requests are coalesced per device; re-pushes and retries back
 * off and stop after a bound; an unregistered token is reported once and tried at most daily; a
 * configuration fault holds back the whole topic behind a circuit breaker and is never blamed on
 * devices.
 */
export class PushCoordinator {
  private readonly policy: PushPolicy;
  private readonly scheduler: Scheduler;
  private readonly metrics: PushMetrics;
  private readonly breaker: TopicCircuitBreaker;
  private readonly unregistered: UnregisteredTokens;
  private readonly timers: DeviceTimers;
  private readonly parked: ParkedDevices;
  private readonly inFlight = new Set<string>();
  // A device can answer a push before APNs' answer to it arrives here.
  private readonly checkedInDuringPush = new Set<string>();
  private batch = new Set<string>();
  private cancelBatch: (() => void) | undefined;
  private closed = false;

  constructor(private readonly deps: PushCoordinatorDependencies) {
    this.policy = resolvePushPolicy(deps.policy);
    this.scheduler = deps.scheduler ?? systemScheduler;
    this.metrics = deps.metrics ?? noPushMetrics;
    this.breaker = new TopicCircuitBreaker(deps.clock, this.policy.circuitCooldownMs, this.policy.circuitMaxCooldownMs, (topic, state) =>
      this.metrics.circuitChanged(topic, state),
    );
    this.unregistered = new UnregisteredTokens(this.policy.maxTrackedDevices);
    this.timers = new DeviceTimers(this.scheduler, this.policy, this.metrics, deps.logger);
    this.parked = new ParkedDevices(this.scheduler, this.policy.maxTrackedDevices);
  }

  /** Commands were queued for `udid`: push it soon, coalesced with other requests, with fresh bounds. */
  requestPush(udid: string): void {
    if (this.closed || !isUdid(udid)) return;
    this.timers.forget(udid);
    this.enqueue(udid);
  }

  /** The device checked in: no re-push is needed until commands wait again. */
  markCheckedIn(udid: string): void {
    if (this.inFlight.has(udid)) this.checkedInDuringPush.add(udid);
    this.timers.forget(udid);
    this.parked.unpark(udid);
  }

  health(): PushHealth {
    return pushHealth(this.breaker.faults());
  }

  /** Sends the current batch now instead of at the end of the window; resolves with its outcomes. */
  async flush(): Promise<PushOutcome[]> {
    this.cancelBatch?.();
    this.cancelBatch = undefined;
    const udids = [...this.batch];
    this.batch = new Set();
    if (udids.length === 0) return [];

    const admitted: Admitted[] = [];
    const held: PushOutcome[] = [];
    await Promise.all(
      udids.map(async (udid) => {
        const result = await this.admit(udid);
        if (result && 'kind' in result) held.push(result);
        else if (result) admitted.push(result);
      }),
    );
    for (const outcome of held) this.metrics.outcome(outcome.kind);
    const outcomes = await this.send(admitted.map((a) => a.target));
    await Promise.all(admitted.map((a, i) => this.settle(a, outcomes[i]!)));
    return [...held, ...outcomes];
  }

  /** Stops every timer; later requests are ignored. Pushes already under way finish. */
  close(): void {
    this.closed = true;
    this.cancelBatch?.();
    this.cancelBatch = undefined;
    this.batch.clear();
    this.timers.clear();
    this.parked.clear();
    this.checkedInDuringPush.clear();
  }

  private enqueue(udid: string): void {
    if (this.closed) return;
    this.batch.add(udid);
    if (this.batch.size >= this.policy.maxBatch) {
      this.runFlush();
    } else if (!this.cancelBatch) {
      this.cancelBatch = this.scheduler.schedule(() => this.runFlush(), this.policy.coalesceMs);
    }
  }

  private runFlush(): void {
    this.flush().catch((error: unknown) => this.deps.logger.error('push batch failed', { error }));
  }

  /** Looks the device up and applies the gates: admitted, held back (an outcome), or dropped. */
  private async admit(udid: string): Promise<Admitted | PushOutcome | undefined> {
    if (this.inFlight.has(udid)) {
      this.metrics.skipped('in-flight');
      return undefined;
    }
    let target: PushTarget | undefined;
    try {
      target = await this.deps.pushTarget(udid);
    } catch (error) {
      this.deps.logger.warn('push target lookup failed', { udid, error });
      this.timers.retry(udid, async () => this.enqueue(udid));
      return undefined;
    }
    if (!target) {
      this.metrics.skipped('not-pushable');
      this.timers.forget(udid);
      this.parked.unpark(udid);
      return undefined;
    }
    if (this.heldAsUnregistered(target)) return undefined;
    const admission = this.breaker.admit(target.topic);
    if (admission === 'blocked') {
      this.hold(target.topic, udid);
      return { kind: 'circuit-open', udid, topic: target.topic };
    }
    this.inFlight.add(udid);
    return { target, admission };
  }

  private async send(targets: readonly PushTarget[]): Promise<PushOutcome[]> {
    if (targets.length === 0) return [];
    const pushes: MdmPush[] = targets.map(({ udid, pushToken, pushMagic, topic }) => ({ udid, pushToken, pushMagic, topic }));
    try {
      const outcomes = await this.deps.sender.send(pushes);
      if (outcomes.length === pushes.length) return outcomes;
      throw new Error(`push sender answered ${outcomes.length} outcomes for ${pushes.length} pushes`);
    } catch (error) {
      this.deps.logger.error('push sender failed', { error, pushes: pushes.length });
      return pushes.map((p) => ({ kind: 'retryable', udid: p.udid, reason: 'SenderError' }));
    }
  }

  private async settle({ target, admission }: Admitted, outcome: PushOutcome): Promise<void> {
    const { udid, topic } = target;
    this.inFlight.delete(udid);
    const checkedIn = this.checkedInDuringPush.delete(udid);
    this.metrics.outcome(outcome.kind);
    switch (outcome.kind) {
      case 'delivered':
        this.resumeAfterProbe(topic, admission);
        this.unregistered.forget(udid);
        if (!checkedIn) this.timers.repush(udid, () => this.repushIfWaiting(udid));
        return;
      case 'unregistered':
        this.resumeAfterProbe(topic, admission);
        await this.tokenUnregistered(target, outcome.at);
        return;
      case 'bad-device-token':
        if (outcome.status === undefined) {
          this.deps.logger.warn('push coordinates refused before sending; not pushed', { udid, reason: outcome.reason });
          this.timers.forget(udid);
          return;
        }
        this.configurationFault(target, outcome.reason, outcome.status, admission);
        return;
      case 'configuration-fault':
        this.configurationFault(target, outcome.reason, outcome.status, admission);
        return;
      case 'retryable':
        if (admission === 'probe') {
          this.breaker.recordInconclusive(topic, admission);
          this.hold(topic, udid);
          return;
        }
        if (checkedIn) return;
        this.deps.logger.debug('push will be retried', { udid, reason: outcome.reason, status: outcome.status });
        // A retry repeats a push that never reached APNs: the reason for it still stands, so
        // unlike a re-push it does not ask stillWaiting.
        this.timers.retry(udid, async () => this.enqueue(udid));
        return;
      case 'circuit-open':
        this.hold(topic, udid);
        return;
    }
  }

  /** A probe got through: close the circuit and send everything held behind it. */
  private resumeAfterProbe(topic: string, admission: Admission): void {
    if (admission !== 'probe') return;
    this.breaker.recordHealthy(topic, admission);
    this.deps.logger.info('APNs accepted the probe push; pushes to the topic resume', { topic });
    for (const udid of this.parked.release(topic)) this.enqueue(udid);
  }

  private configurationFault(target: PushTarget, reason: string, status: number | undefined, admission: Admission): void {
    const { udid, topic } = target;
    const alarm = admission === 'probe' || this.breaker.state(topic) === 'closed';
    this.metrics.configurationFault(topic, reason);
    this.breaker.recordFault(topic, reason, admission);
    // One alarm per opening, not one per push already under way.
    if (alarm) {
      this.deps.logger.error('APNs configuration fault: pushes to this topic are held back; device tokens are kept', {
        topic,
        reason,
        status,
        udid,
        reopensAt: this.breaker.reopensAt(topic)?.toISOString(),
      });
    }
    this.hold(topic, udid);
  }

  /** Parks the device behind the topic's circuit and makes sure a probe timer is armed. */
  private hold(topic: string, udid: string): void {
    this.timers.forget(udid);
    this.parked.park(topic, udid);
    const reopensAt = this.breaker.reopensAt(topic);
    if (!reopensAt || this.closed) return;
    // Every held device is looked up again; the first to pass the breaker becomes the probe and
    // the others park again behind it.
    this.parked.probeAfter(topic, reopensAt.getTime() - this.deps.clock.now().getTime(), () => {
      for (const parked of this.parked.release(topic)) this.enqueue(parked);
    });
  }

  private async tokenUnregistered(target: PushTarget, at: Date): Promise<void> {
    const { udid, pushToken } = target;
    const attempts = this.unregistered.recordAttempt(udid, pushToken, this.deps.clock.now());
    const alreadyReported = target.tokenInvalidatedAt !== undefined || this.unregistered.isReported(udid, pushToken);
    // Marked before the await so that no second report can start while this one is under way.
    this.unregistered.setReported(udid, pushToken, true);
    if (!alreadyReported) {
      this.metrics.tokenInvalidated();
      this.deps.logger.warn('APNs reports the push token unregistered', { udid, at: at.toISOString() });
      try {
        await this.deps.onTokenInvalidated(udid, at, pushToken);
      } catch (error) {
        // Not remembered as reported, so the next attempt reports it again.
        this.unregistered.setReported(udid, pushToken, false);
        this.deps.logger.error('recording the invalidated push token failed', { udid, error });
      }
    }
    this.retryUnregistered(udid, attempts, this.policy.unregisteredRetryMs);
  }

  /** True when the target's token is known unregistered and was tried within the last day. */
  private heldAsUnregistered(target: PushTarget): boolean {
    const { udid, pushToken } = target;
    const last = this.unregistered.lastAttempt(udid, pushToken) ?? target.tokenInvalidatedAt;
    if (!last) return false;
    const waitMs = last.getTime() + this.policy.unregisteredRetryMs - this.deps.clock.now().getTime();
    if (waitMs <= 0) return false;
    this.metrics.skipped('token-unregistered');
    if (!this.timers.hasPending(udid)) this.retryUnregistered(udid, this.unregistered.attempts(udid, pushToken), waitMs);
    return true;
  }

  private retryUnregistered(udid: string, attempts: number, delayMs: number): void {
    if (attempts >= this.policy.unregisteredMaxAttempts) {
      this.metrics.gaveUp('unregistered-limit');
      this.timers.forget(udid);
      return;
    }
    this.timers.once(udid, delayMs, () => this.repushIfWaiting(udid));
  }

  private async repushIfWaiting(udid: string): Promise<void> {
    let waiting: boolean;
    try {
      waiting = await this.deps.stillWaiting(udid);
    } catch (error) {
      // Pushing once too often is harmless; missing one strands the device's commands.
      this.deps.logger.warn('stillWaiting failed; pushing anyway', { udid, error });
      waiting = true;
    }
    if (waiting) this.enqueue(udid);
    else this.timers.forget(udid);
  }
}

function isUdid(udid: unknown): udid is string {
  return typeof udid === 'string' && udid.length > 0 && udid.length <= MAX_UDID_LENGTH;
}
