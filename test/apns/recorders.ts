import type { LogFields, Logger } from '../../application/ports/logger.js';
import type { MdmPush, PushOutcome, PushSender } from '../../application/ports/push-sender.js';
import type { CircuitState, PushGiveUpReason, PushMetrics, PushSkipReason } from '../../application/push/push-metrics.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at = (level: LogLine['level']) => (message: string, fields: LogFields = {}) => void lines.push({ level, message, fields });
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export class RecordingMetrics implements PushMetrics {
  readonly outcomes: string[] = [];
  readonly skips: PushSkipReason[] = [];
  readonly giveUps: PushGiveUpReason[] = [];
  readonly faults: { topic: string; reason: string }[] = [];
  readonly circuits: { topic: string; state: CircuitState }[] = [];
  invalidations = 0;
  outcome(kind: string): void {
    this.outcomes.push(kind);
  }
  skipped(reason: PushSkipReason): void {
    this.skips.push(reason);
  }
  gaveUp(reason: PushGiveUpReason): void {
    this.giveUps.push(reason);
  }
  configurationFault(topic: string, reason: string): void {
    this.faults.push({ topic, reason });
  }
  tokenInvalidated(): void {
    this.invalidations++;
  }
  circuitChanged(topic: string, state: CircuitState): void {
    this.circuits.push({ topic, state });
  }
}

export interface SentBatch {
  readonly at: Date;
  readonly pushes: readonly MdmPush[];
}

/**
 * An in-memory PushSender for the policy's unit tests: `answer` decides each push's outcome.
 * The APNs adapter itself is tested against the HTTP/2 stand-in.
 */
export class ScriptedSender implements PushSender {
  readonly batches: SentBatch[] = [];
  answer: (push: MdmPush) => PushOutcome = (push) => ({ kind: 'delivered', udid: push.udid, apnsId: 'id' });

  constructor(private readonly now: () => Date) {}

  async send(pushes: readonly MdmPush[]): Promise<PushOutcome[]> {
    this.batches.push({ at: this.now(), pushes: [...pushes] });
    return pushes.map((p) => this.answer(p));
  }

  /** Every push sent so far, in order. */
  get sent(): MdmPush[] {
    return this.batches.flatMap((b) => b.pushes);
  }

  sentTo(udid: string): Date[] {
    return this.batches.filter((b) => b.pushes.some((p) => p.udid === udid)).map((b) => b.at);
  }
}
