import type { Clock } from '../ports/clock.js';
import type { EventStore, Position, RecordedEvent } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { systemScheduler, type Scheduler } from '../push/scheduler.js';

export interface QuarantineNoticeHandlers {
  /** An admin let the device in: wake it so it fetches what waits for it. */
  approved(udid: string): void;
  /** An admin turned the device away: wake it so it hears it must unenroll. */
  rejected(udid: string): void;
}

export interface QuarantineNoticeOptions {
  readonly logger: Logger;
  /** How often the store is read for decisions made elsewhere (the CLI is another process). */
  readonly pollMs?: number;
  readonly scheduler?: Scheduler;
}

const PAGE = 1000;

/**
 * Tells the running server about quarantine decisions, wherever they were recorded: it reads the
 * store's events in position order on a timer (no wake-up per append, so the check-in path pays
 * nothing). Decisions recorded before this process started are not announced, except those made
 * while it was starting; a device released then is woken by its next check-in or command.
 */
export class QuarantineNotices {
  private after: Position | undefined;
  private caughtUp = false;
  private readonly startedAt: string;
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: EventStore,
    clock: Clock,
    private readonly handlers: QuarantineNoticeHandlers,
    private readonly options: QuarantineNoticeOptions,
  ) {
    this.startedAt = clock.now().toISOString();
  }

  /** Skips the history, then watches; resolves once the history is skipped (or could not be read: it is retried). */
  async start(): Promise<void> {
    await this.poll();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    await this.running;
  }

  private poll(): Promise<void> {
    this.running = this.readNew()
      .catch((error: unknown) => this.options.logger.warn('reading quarantine decisions failed; retrying', { error }))
      .finally(() => {
        this.running = undefined;
        if (!this.closed) this.cancel = (this.options.scheduler ?? systemScheduler).schedule(() => void this.poll(), this.options.pollMs ?? 1000);
      });
    return this.running;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const page = await this.store.readAll({ ...(this.after !== undefined ? { after: this.after } : {}), maxCount: PAGE });
      for (const event of page) {
        if (this.caughtUp || event.recordedAt >= this.startedAt) this.notice(event);
        this.after = event.position;
      }
      if (page.length < PAGE) break;
    }
    this.caughtUp = true;
  }

  private notice(event: RecordedEvent): void {
    const udid = (event.data as { udid?: unknown } | null)?.udid;
    if (typeof udid !== 'string') return;
    try {
      if (event.type === 'DeviceApproved') this.handlers.approved(udid);
      else if (event.type === 'DeviceRejected') this.handlers.rejected(udid);
    } catch (error) {
      this.options.logger.error('acting on a quarantine decision failed', { udid, type: event.type, error });
    }
  }
}
