import type { Logger } from '../ports/logger.js';
import type { PushMetrics } from './push-metrics.js';
import { backoffDelay, type PushPolicy } from './push-policy.js';
import type { Scheduler } from './scheduler.js';

interface Series {
  repushes: number;
  retries: number;
  cancel?: () => void;
}

/**
 * At most one pending timer per device, and the counters that bound its re-push and retry series.
 * Bounded in size: beyond `maxTrackedDevices` no new device gets a timer (its first push still goes).
 */
export class DeviceTimers {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly policy: PushPolicy,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
  ) {}

  /** After a delivered push: the next re-push of the bounded series, if any is left. */
  repush(udid: string, task: () => Promise<void>): void {
    const series = this.track(udid);
    if (!series) return;
    series.retries = 0;
    series.repushes += 1;
    if (series.repushes > this.policy.repush.maxAttempts) {
      this.metrics.gaveUp('repush-limit');
      this.forget(udid);
      return;
    }
    this.arm(udid, series, backoffDelay(this.policy.repush, series.repushes), task);
  }

  /** After a failure worth repeating: the next retry of the bounded series, if any is left. */
  retry(udid: string, task: () => Promise<void>): void {
    const series = this.track(udid);
    if (!series) return;
    series.retries += 1;
    if (series.retries > this.policy.retry.maxAttempts) {
      this.metrics.gaveUp('retry-limit');
      this.logger.warn('push retries exhausted', { udid });
      this.forget(udid);
      return;
    }
    this.arm(udid, series, backoffDelay(this.policy.retry, series.retries), task);
  }

  /** One timer at a fixed delay, replacing any pending one. */
  once(udid: string, delayMs: number, task: () => Promise<void>): void {
    const series = this.track(udid);
    if (series) this.arm(udid, series, delayMs, task);
  }

  hasPending(udid: string): boolean {
    return this.series.get(udid)?.cancel !== undefined;
  }

  /** Cancels the device's timer and resets its series. */
  forget(udid: string): void {
    this.series.get(udid)?.cancel?.();
    this.series.delete(udid);
  }

  clear(): void {
    for (const series of this.series.values()) series.cancel?.();
    this.series.clear();
  }

  private track(udid: string): Series | undefined {
    const existing = this.series.get(udid);
    if (existing) return existing;
    if (this.series.size >= this.policy.maxTrackedDevices) {
      this.metrics.skipped('tracking-full');
      return undefined;
    }
    const fresh: Series = { repushes: 0, retries: 0 };
    this.series.set(udid, fresh);
    return fresh;
  }

  private arm(udid: string, series: Series, delayMs: number, task: () => Promise<void>): void {
    series.cancel?.();
    const cancel = this.scheduler.schedule(() => {
      if (series.cancel === cancel) series.cancel = undefined;
      task().catch((error: unknown) => this.logger.error('scheduled push failed', { udid, error }));
    }, delayMs);
    series.cancel = cancel;
  }
}
