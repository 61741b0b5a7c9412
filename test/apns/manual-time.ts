import type { Clock } from '../../application/ports/clock.js';
import type { Scheduler } from '../../application/push/scheduler.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

/** A clock and scheduler that move only when told to, so hours of backoff run in milliseconds. */
export class ManualTime implements Clock, Scheduler {
  private nowMs: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2025, 0, 15, 9, 0, 0)) {
    this.nowMs = start;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  schedule(task: () => void, delayMs: number): () => void {
    const timer: Timer = { at: this.nowMs + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers not yet run nor cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward, running each due timer at its own time and letting promises settle after it. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    await settle();
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.task();
      await settle();
    }
    this.nowMs = target;
  }
}

/** Lets chains of already-resolved promises run to their end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
