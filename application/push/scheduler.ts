/**
 * Timers for the push policy. Injected so tests drive time by hand instead of waiting for it;
 * the policy reads the time of day from the Clock port, never from here.
 */
export interface Scheduler {
  /** Calls `task` once after `delayMs`. The returned function cancels it (a no-op once run). */
  schedule(task: () => void, delayMs: number): () => void;
}

export const systemScheduler: Scheduler = {
  schedule(task, delayMs) {
    const timer = setTimeout(task, Math.max(0, delayMs));
    // Pending re-pushes must never keep a stopping process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
