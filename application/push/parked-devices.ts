import type { Scheduler } from './scheduler.js';

/**
 * Devices held back behind an open topic circuit, and one probe timer per topic. Bounded like the
 * device timers; a device that does not fit is simply not retried by the circuit (its next
 * request for a push tries again).
 */
export class ParkedDevices {
  private readonly byTopic = new Map<string, Set<string>>();
  private readonly topicOf = new Map<string, string>();
  private readonly probeTimers = new Map<string, () => void>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly capacity: number,
  ) {}

  /** False when full. */
  park(topic: string, udid: string): boolean {
    if (this.topicOf.get(udid) === topic) return true;
    this.unpark(udid);
    if (this.topicOf.size >= this.capacity) return false;
    const set = this.byTopic.get(topic) ?? new Set<string>();
    set.add(udid);
    this.byTopic.set(topic, set);
    this.topicOf.set(udid, topic);
    return true;
  }

  unpark(udid: string): void {
    const topic = this.topicOf.get(udid);
    if (topic === undefined) return;
    this.topicOf.delete(udid);
    this.byTopic.get(topic)?.delete(udid);
  }

  /** Unparks and returns every device held for `topic`, and cancels its probe timer. */
  release(topic: string): string[] {
    this.probeTimers.get(topic)?.();
    this.probeTimers.delete(topic);
    const udids = [...(this.byTopic.get(topic) ?? [])];
    this.byTopic.delete(topic);
    for (const udid of udids) this.topicOf.delete(udid);
    return udids;
  }

  /** Arms the topic's probe timer unless one is already pending. */
  probeAfter(topic: string, delayMs: number, task: () => void): void {
    if (this.probeTimers.has(topic)) return;
    this.probeTimers.set(
      topic,
      this.scheduler.schedule(() => {
        this.probeTimers.delete(topic);
        task();
      }, delayMs),
    );
  }

  clear(): void {
    for (const cancel of this.probeTimers.values()) cancel();
    this.probeTimers.clear();
    this.byTopic.clear();
    this.topicOf.clear();
  }
}
