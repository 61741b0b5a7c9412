import type { RecordedEvent } from '../application/ports/event-store.js';
import type { CancellationReason, ErrorChainEntry } from '../domain/device/queue/events.js';
import { occurredAt } from './event-times.js';
import { compact, finite, list, millisBetween, record, text, udidOfStream } from './event-values.js';
import type { Projection } from './projection.js';

export type CommandOutcome = 'queued' | 'delivered' | 'deferred' | 'acknowledged' | 'failed' | 'expired' | 'cancelled';

/** One command on one device (collection `command-history`, id `<udid>:<commandUuid>`). */
export interface CommandRecord {
  readonly udid: string;
  readonly commandUuid: string;
  readonly requestType: string;
  readonly status: CommandOutcome;
  readonly priority: number;
  readonly queuedAt: string;
  /** "<kind>:<id>", e.g. "admin:alice" or "system:post-enrollment". */
  readonly queuedBy: string;
  readonly expiresAt: string;
  /** Hand-outs to the device (each Idle that handed it out again is one more). */
  readonly deliveries: number;
  /** NotNow answers. */
  readonly deferrals: number;
  readonly firstDeliveredAt?: string;
  readonly lastDeliveredAt?: string;
  /** When it was acknowledged, failed, expired or cancelled. */
  readonly finishedAt?: string;
  /** For a failure: the device's status (Error, CommandFormatError) or Undeliverable (the server could not build it). */
  readonly failureStatus?: string;
  /** The device's error chain, cut to MAX_ERROR_CHAIN entries of bounded text. */
  readonly errorChain?: readonly ErrorChainEntry[];
  readonly cancelledBy?: string;
  readonly cancellationReason?: CancellationReason;
  readonly timeToFirstDeliveryMs?: number;
  readonly timeToFinishMs?: number;
}

export const MAX_ERROR_CHAIN = 8;
const MAX_ERROR_TEXT = 512;

const TERMINAL: ReadonlySet<CommandOutcome> = new Set(['acknowledged', 'failed', 'expired', 'cancelled']);
const COMMAND_TYPES = ['CommandQueued', 'CommandDelivered', 'CommandDeferred', 'CommandAcknowledged', 'CommandFailed', 'CommandExpired', 'CommandCancelled'];
const CANCELLATION_REASONS: ReadonlySet<string> = new Set<CancellationReason>(['cancelled', 'checked-out', 'unenrolled', 'reenrolled']);

const bounded = (value: unknown): string | undefined => text(value)?.slice(0, MAX_ERROR_TEXT);

/** The device's error chain, bounded: its text is device input. */
export function boundedErrorChain(value: unknown): ErrorChainEntry[] {
  return list(value).slice(0, MAX_ERROR_CHAIN).map((raw) => {
    const e = record(raw);
    const code = finite(e['errorCode']);
    return compact({
      errorCode: code !== undefined && Number.isSafeInteger(code) ? code : undefined,
      errorDomain: bounded(e['errorDomain']),
      localizedDescription: bounded(e['localizedDescription']),
      usEnglishDescription: bounded(e['usEnglishDescription']),
    });
  });
}

function queued(udid: string, data: Record<string, unknown>, at: string): CommandRecord | null {
  const commandUuid = text(data['commandUuid']);
  const requestType = text(record(data['request'])['requestType']);
  if (commandUuid === undefined || requestType === undefined) return null;
  return {
    udid, commandUuid, requestType, status: 'queued', priority: finite(data['priority']) ?? 0, queuedAt: at,
    queuedBy: text(data['queuedBy']) ?? 'unknown', expiresAt: text(data['expiresAt']) ?? at, deliveries: 0, deferrals: 0,
  };
}

function finished(current: CommandRecord, status: CommandOutcome, at: string, extra: Partial<CommandRecord> = {}): CommandRecord {
  const timeToFinishMs = millisBetween(current.queuedAt, at);
  return compact({ ...current, ...extra, status, finishedAt: at, timeToFinishMs });
}

/** The next record for one event of the command's life; a finished command changes no more. */
export function applyCommandEvent(current: CommandRecord | undefined, event: RecordedEvent, udid: string): CommandRecord | null {
  const data = record(event.data);
  const at = occurredAt(event);
  if (event.type === 'CommandQueued') return current ?? queued(udid, data, at);
  if (current === undefined) return null;
  if (TERMINAL.has(current.status)) return current;
  switch (event.type) {
    case 'CommandDelivered': {
      // `attempt` counts hand-outs; taking the larger keeps the count right if one is seen twice.
      const deliveries = Math.max(current.deliveries, finite(data['attempt']) ?? current.deliveries + 1);
      const firstDeliveredAt = current.firstDeliveredAt ?? at;
      const timeToFirstDeliveryMs = current.timeToFirstDeliveryMs ?? millisBetween(current.queuedAt, firstDeliveredAt);
      return compact<CommandRecord>({ ...current, status: 'delivered', deliveries, firstDeliveredAt, lastDeliveredAt: at, timeToFirstDeliveryMs });
    }
    case 'CommandDeferred':
      return { ...current, status: 'deferred', deferrals: Math.max(current.deferrals, finite(data['deferrals']) ?? current.deferrals + 1) };
    case 'CommandAcknowledged':
      return finished(current, 'acknowledged', at);
    case 'CommandFailed':
      return finished(current, 'failed', at, { failureStatus: text(data['status']), errorChain: boundedErrorChain(data['errorChain']) });
    case 'CommandExpired':
      return finished(current, 'expired', at);
    case 'CommandCancelled': {
      const reason = text(data['reason']);
      return finished(current, 'cancelled', at, {
        cancelledBy: text(data['cancelledBy']),
        cancellationReason: reason !== undefined && CANCELLATION_REASONS.has(reason) ? (reason as CancellationReason) : undefined,
      });
    }
    default:
      return current;
  }
}

export const commandRecordId = (udid: string, commandUuid: string): string => `${udid}:${commandUuid}`;

function recordId(event: RecordedEvent): string | undefined {
  const udid = udidOfStream(event.streamId);
  const commandUuid = text(record(event.data)['commandUuid']);
  return udid === undefined || commandUuid === undefined ? undefined : commandRecordId(udid, commandUuid);
}

/** Every command's life, one document per command per device. Pure: times come from the events. */
export const commandRecordProjection: Projection<CommandRecord> = {
  name: 'command-history',
  version: 1,
  handles: new Set(COMMAND_TYPES),
  indexes: [
    { name: 'udid_queuedAt', fields: [{ path: 'udid', direction: 'asc' }, { path: 'queuedAt', direction: 'desc' }] },
    { name: 'status', fields: [{ path: 'status', direction: 'asc' }] },
    { name: 'requestType', fields: [{ path: 'requestType', direction: 'asc' }] },
  ],
  documentId: recordId,
  apply(current, event) {
    const udid = udidOfStream(event.streamId);
    return udid === undefined ? (current ?? null) : applyCommandEvent(current, event, udid);
  },
};
