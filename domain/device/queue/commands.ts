import type { JsonObject } from '../../shared/json.js';
import type { ErrorChainEntry, ResultKind } from './events.js';
import type { QueuedRequest } from './queued-command.js';

export interface QueueCommand {
  readonly type: 'QueueCommand';
  readonly udid: string;
  readonly commandUuid: string;
  readonly request: QueuedRequest;
  readonly priority: number;
  readonly expiresAt: string;
  readonly queuedBy: string;
  readonly at: string;
}

export interface CancelCommand {
  readonly type: 'CancelCommand';
  readonly udid: string;
  readonly commandUuid: string;
  readonly cancelledBy: string;
  readonly at: string;
}

/** How often a check-in may record DeviceSeen. */
export interface SeenPolicy {
  readonly seenIntervalMs: number;
}

/** An Idle check-in: the device asks for work. */
export interface RequestNextCommand extends SeenPolicy {
  readonly type: 'RequestNextCommand';
  readonly udid: string;
  readonly at: string;
}

export interface CommandResultInput {
  readonly kind: ResultKind;
  readonly result: JsonObject;
  /** Fingerprint of the result's canonical form (computed by the application). */
  readonly fingerprint: string;
}

/** A report for one command, then (in the same decision) the next command is handed out. */
export interface RecordReport extends SeenPolicy {
  readonly type: 'RecordReport';
  readonly udid: string;
  readonly commandUuid: string;
  readonly status: 'Acknowledged' | 'Error' | 'CommandFormatError' | 'NotNow';
  readonly result?: CommandResultInput;
  readonly errorChain?: readonly ErrorChainEntry[];
  readonly at: string;
}

/**
 * The server could not build the command for delivery (a payload gone missing, a secret that no
 * longer opens, a request today's code refuses): it fails, and the next command is handed out.
 */
export interface FailUndeliverable {
  readonly type: 'FailUndeliverable';
  readonly udid: string;
  readonly commandUuid: string;
  readonly reason: string;
  readonly at: string;
}

export type QueueCommandType = QueueCommand | CancelCommand | RequestNextCommand | RecordReport | FailUndeliverable;
