import type { Clock } from '../ports/clock.js';
import type { CircuitState } from './push-metrics.js';

/** What `admit` allows: a normal push, or the single probe of a half-open circuit. */
export type Admission = 'pass' | 'probe' | 'blocked';

export interface TopicFault {
  readonly topic: string;
  readonly state: Exclude<CircuitState, 'closed'>;
  readonly reason: string;
  /** When this run of faults began; it survives failed probes. */
  readonly since: Date;
  readonly reopensAt: Date;
}

interface Open {
  reason: string;
  since: Date;
  until: Date;
  cooldownMs: number;
  probing: boolean;
}

/**
 * One circuit per APNs topic. A configuration fault (wrong certificate, topic or environment)
 * fails every push of the topic alike, so after the first one the topic is held back for a
 * cool-down; then a single probe push decides whether to close it or hold back twice as long.
 */
export class TopicCircuitBreaker {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly clock: Clock,
    private readonly cooldownMs: number,
    private readonly maxCooldownMs: number,
    private readonly changed: (topic: string, state: CircuitState) => void = () => {},
  ) {}

  admit(topic: string): Admission {
    const circuit = this.open.get(topic);
    if (!circuit) return 'pass';
    if (circuit.probing || this.clock.now() < circuit.until) return 'blocked';
    circuit.probing = true;
    this.changed(topic, 'half-open');
    return 'probe';
  }

  /** A configuration fault. Only a failed probe lengthens the cool-down; faults of pushes already under way do not. */
  recordFault(topic: string, reason: string, admission: Admission): void {
    const now = this.clock.now();
    const circuit = this.open.get(topic);
    if (!circuit) {
      this.open.set(topic, { reason, since: now, until: new Date(now.getTime() + this.cooldownMs), cooldownMs: this.cooldownMs, probing: false });
      this.changed(topic, 'open');
      return;
    }
    if (admission !== 'probe') return;
    circuit.cooldownMs = Math.min(this.maxCooldownMs, circuit.cooldownMs * 2);
    circuit.until = new Date(now.getTime() + circuit.cooldownMs);
    circuit.reason = reason;
    circuit.probing = false;
    this.changed(topic, 'open');
  }

  /** APNs accepted the configuration (any answer about the device itself). Only a probe closes a circuit. */
  recordHealthy(topic: string, admission: Admission): void {
    if (admission !== 'probe' || !this.open.delete(topic)) return;
    this.changed(topic, 'closed');
  }

  /** The probe learned nothing (e.g. APNs unreachable): hold back for the same cool-down again. */
  recordInconclusive(topic: string, admission: Admission): void {
    const circuit = this.open.get(topic);
    if (admission !== 'probe' || !circuit) return;
    circuit.until = new Date(this.clock.now().getTime() + circuit.cooldownMs);
    circuit.probing = false;
    this.changed(topic, 'open');
  }

  state(topic: string): CircuitState {
    const circuit = this.open.get(topic);
    if (!circuit) return 'closed';
    return circuit.probing ? 'half-open' : 'open';
  }

  /** When the next probe may go, or undefined when the circuit is closed. */
  reopensAt(topic: string): Date | undefined {
    return this.open.get(topic)?.until;
  }

  faults(): TopicFault[] {
    return [...this.open].map(([topic, c]) => ({
      topic,
      state: c.probing ? 'half-open' : 'open',
      reason: c.reason,
      since: c.since,
      reopensAt: c.until,
    }));
  }
}
