import { randomUUID } from 'node:crypto';
import { deviceDecider, deviceStreamId, type DeviceCommand, type DeviceState } from '../../domain/device/device.js';
import type { CommandResultInput } from '../../domain/device/queue/commands.js';
import type { ErrorChainEntry } from '../../domain/device/queue/events.js';
import type { QueuedCommand } from '../../domain/device/queue/queued-command.js';
import { selectNext } from '../../domain/device/queue/select-next.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import { EventTooLargeError, type EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';
import { checkBinding, loadDeviceState, unenrollmentAnswer } from './device-binding.js';
import { withheldFromCommands } from '../../domain/device/quarantine.js';
import type { DeviceAnswer, PresentedIdentity, ReleasedCertificate, ReportStatus } from './messages.js';

/** Turns a query's report into a typed result with its fingerprint, or undefined when there is none. */
export interface ResultInterpreter {
  interpret(requestType: string, report: JsonObject): CommandResultInput | undefined;
}

export interface CommandReport {
  readonly udid: string;
  readonly status: ReportStatus;
  readonly commandUuid?: string;
  readonly errorChain?: readonly ErrorChainEntry[];
  /** The whole report, JSON-safe (data as base64, dates as ISO strings). */
  readonly body: JsonObject;
}

export interface ReportOutcome {
  readonly answer: DeviceAnswer;
  /** The command to answer with; none means an empty 200 (the device is done for now). */
  readonly next?: QueuedCommand;
}

export interface ReportServiceOptions {
  /** DeviceSeen is recorded at most once per this interval. */
  readonly seenIntervalMs: number;
  /** The device is talking to us (the push layer stops re-pushing it). */
  readonly onContact?: (udid: string) => void;
  /** A query result was too large to record (the acknowledgement was recorded without it). */
  readonly onResultTooLarge?: (udid: string, kind: string, bytes: number) => void;
  /** An acknowledged EraseDevice: the device's certificate leaves with its data. Awaited before the answer. */
  readonly onCertificateReleased?: (released: ReleasedCertificate) => Promise<void>;
}

/**
 * The ServerURL side: an Idle asks for work; a report settles one command and, in the same
 * decision (one append), the next command is handed out.
 */
export class ReportService {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly cache: StateCache<DeviceState>,
    private readonly results: ResultInterpreter,
    private readonly options: ReportServiceOptions,
  ) {}

  async report(r: CommandReport, identity: PresentedIdentity): Promise<ReportOutcome> {
    const before = await loadDeviceState(this.store, this.cache, r.udid);
    const refused = checkBinding(before, identity) ?? unenrollmentAnswer(before);
    if (refused) return { answer: refused };
    // Quarantined: an empty answer, nothing handed out and nothing recorded until an admin decides.
    if (withheldFromCommands(before)) return { answer: { kind: 'ok' } };
    this.options.onContact?.(r.udid);
    const at = this.clock.now().toISOString();
    let command: DeviceCommand;
    let erased = false;
    if (r.status === 'Idle') {
      command = { type: 'RequestNextCommand', udid: r.udid, at, seenIntervalMs: this.options.seenIntervalMs };
    } else {
      if (!r.commandUuid) return { answer: { kind: 'rejected', detail: `a ${r.status} report needs a CommandUUID` } };
      const pending = before.queue.queue.find((c) => c.commandUuid === r.commandUuid);
      erased = r.status === 'Acknowledged' && pending?.request.requestType === 'EraseDevice';
      const result = r.status === 'Acknowledged' && pending ? this.results.interpret(pending.request.requestType, r.body) : undefined;
      command = {
        type: 'RecordReport', udid: r.udid, commandUuid: r.commandUuid, status: r.status, at, seenIntervalMs: this.options.seenIntervalMs,
        ...(result ? { result } : {}),
        ...(r.errorChain ? { errorChain: r.errorChain } : {}),
      };
    }
    try {
      const outcome = await this.decide(r.udid, command, at, true);
      if (erased && before.certificateHash) await this.options.onCertificateReleased?.({ udid: r.udid, certificateHash: before.certificateHash, reason: 'wiped' });
      return outcome;
    } catch (error) {
      // A report we answer 200 must be stored. A result too large for one event is left out (the
      // acknowledgement is kept) rather than failing the report and having the command sent again.
      if (error instanceof EventTooLargeError && command.type === 'RecordReport' && command.result) {
        const { result: _dropped, ...withoutResult } = command;
        this.options.onResultTooLarge?.(r.udid, command.result.kind, error.bytes);
        return this.decide(r.udid, withoutResult, at, false);
      }
      if (error instanceof DomainError && error.code === 'not-enrolled') return { answer: { kind: 'refused', reason: 'not-enrolled' } };
      if (error instanceof DomainError) return { answer: { kind: 'rejected', detail: `${error.code}: ${error.message}` } };
      throw error;
    }
  }

  /**
   * The command handed out could not be built for delivery: it fails (as Undeliverable) and the
   * next one is handed out instead, so one broken command never blocks a device's queue.
   */
  async undeliverable(udid: string, commandUuid: string, reason: string): Promise<ReportOutcome> {
    const at = this.clock.now().toISOString();
    return this.decide(udid, { type: 'FailUndeliverable', udid, commandUuid, reason, at }, at, false);
  }

  private async decide(udid: string, command: DeviceCommand, at: string, cacheIsFresh: boolean): Promise<ReportOutcome> {
    const outcome = await handleCommand(this.store, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command, actor: { kind: 'device', id: udid }, occurredAt: at }, { cache: this.cache, cacheIsFresh });
    const next = selectNext(outcome.state.queue.queue, { idle: false, now: at });
    return { answer: { kind: 'ok' }, ...(next ? { next } : {}) };
  }
}
