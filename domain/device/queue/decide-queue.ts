import { assertNever } from '../../shared/decider.js';
import { DomainError } from '../../shared/domain-error.js';
import type { EnrollmentStatus } from '../state.js';
import type { CancelCommand, FailUndeliverable, QueueCommand, QueueCommandType, RecordReport, RequestNextCommand, SeenPolicy } from './commands.js';
import type { CancellationReason, QueueEvent } from './events.js';
import { MAX_PRIORITY, MIN_PRIORITY } from './queued-command.js';
import type { QueueState } from './queue-state.js';
import { expiredCommands, selectNext } from './select-next.js';

const elapsedMs = (from: string, to: string) => Date.parse(to) - Date.parse(from);

function seen(s: QueueState, c: SeenPolicy & { at: string }): QueueEvent[] {
  return s.lastSeenAt === undefined || elapsedMs(s.lastSeenAt, c.at) >= c.seenIntervalMs ? [{ type: 'DeviceSeen', data: { seenAt: c.at } }] : [];
}

/**
 * Expires what is due and hands out the next command. On Idle every hand-out is a new attempt and
 * is recorded; within a session, handing out again the command already out with the device records
 * nothing more.
 */
function handOut(s: QueueState, at: string, idle: boolean, finishedNow: ReadonlySet<string>): QueueEvent[] {
  const remaining = s.queue.filter((c) => !finishedNow.has(c.commandUuid));
  const expired = expiredCommands(remaining, at);
  const events: QueueEvent[] = expired.map((c) => ({ type: 'CommandExpired', data: { commandUuid: c.commandUuid, expiredAt: at } }));
  const gone = new Set(expired.map((c) => c.commandUuid));
  const next = selectNext(remaining.filter((c) => !gone.has(c.commandUuid)), { idle, now: at });
  if (next && (idle || next.status !== 'delivered')) {
    events.push({ type: 'CommandDelivered', data: { commandUuid: next.commandUuid, attempt: next.deliveries + 1, deliveredAt: at } });
  }
  return events;
}

function requireEnrolled(status: EnrollmentStatus, udid: string): void {
  if (status !== 'enrolled') throw new DomainError('not-enrolled', `device ${udid} is not enrolled (${status})`);
}

function queueCommand(c: QueueCommand, s: QueueState, status: EnrollmentStatus, leaving: boolean): QueueEvent[] {
  if (leaving) throw new DomainError('unenrolling', `device ${c.udid} is being unenrolled`);
  if (status !== 'enrolled' && status !== 'enrolling') throw new DomainError('not-enrolled', `device ${c.udid} is not enrolled (${status})`);
  if (!Number.isInteger(c.priority) || c.priority < MIN_PRIORITY || c.priority > MAX_PRIORITY) {
    throw new DomainError('invalid-command', `priority must be a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`);
  }
  if (!(c.expiresAt > c.at)) throw new DomainError('invalid-command', 'expiresAt must be later than the time of queueing');
  // The same CommandUUID again is the same command: queueing it twice changes nothing.
  if (s.queue.some((q) => q.commandUuid === c.commandUuid) || s.recentlyFinished.includes(c.commandUuid)) return [];
  return [{ type: 'CommandQueued', data: { commandUuid: c.commandUuid, request: c.request, priority: c.priority, queuedAt: c.at, expiresAt: c.expiresAt, queuedBy: c.queuedBy } }];
}

function cancelCommand(c: CancelCommand, s: QueueState): QueueEvent[] {
  const command = s.queue.find((q) => q.commandUuid === c.commandUuid);
  if (!command) {
    if (s.recentlyFinished.includes(c.commandUuid)) throw new DomainError('command-finished', `command ${c.commandUuid} has already finished`);
    throw new DomainError('unknown-command', `device ${c.udid} has no command ${c.commandUuid}`);
  }
  // A command already handed out may still be cancelled: it will not be sent again, and a late
  // report for it is answered 200 and changes nothing. Whether the device ran it is not known.
  return [{ type: 'CommandCancelled', data: { commandUuid: c.commandUuid, reason: 'cancelled', cancelledBy: c.cancelledBy, cancelledAt: c.at } }];
}

function requestNext(c: RequestNextCommand, s: QueueState, status: EnrollmentStatus): QueueEvent[] {
  requireEnrolled(status, c.udid);
  return [...seen(s, c), ...handOut(s, c.at, true, new Set())];
}

function recordReport(c: RecordReport, s: QueueState, status: EnrollmentStatus): QueueEvent[] {
  requireEnrolled(status, c.udid);
  const events: QueueEvent[] = [...seen(s, c)];
  const command = s.queue.find((q) => q.commandUuid === c.commandUuid);
  const finishedNow = new Set<string>();
  // A report for a command that is not in the queue (already finished, or unknown) changes nothing.
  if (command) {
    switch (c.status) {
      case 'Acknowledged':
        events.push({ type: 'CommandAcknowledged', data: { commandUuid: c.commandUuid, acknowledgedAt: c.at } });
        finishedNow.add(c.commandUuid);
        if (c.result && s.resultFingerprints[c.result.kind] !== c.result.fingerprint) {
          events.push({ type: `${c.result.kind}Reported`, data: { commandUuid: c.commandUuid, kind: c.result.kind, result: c.result.result, fingerprint: c.result.fingerprint, reportedAt: c.at } });
        }
        break;
      case 'Error':
      case 'CommandFormatError':
        events.push({ type: 'CommandFailed', data: { commandUuid: c.commandUuid, status: c.status, errorChain: c.errorChain ?? [], failedAt: c.at } });
        finishedNow.add(c.commandUuid);
        break;
      case 'NotNow':
        if (command.status !== 'deferred') events.push({ type: 'CommandDeferred', data: { commandUuid: c.commandUuid, deferrals: command.deferrals + 1, deferredAt: c.at } });
        break;
      default:
        assertNever(c.status);
    }
  }
  const afterReport = c.status === 'NotNow' && command ? { ...s, queue: s.queue.map((q) => (q.commandUuid === c.commandUuid ? { ...q, status: 'deferred' as const } : q)) } : s;
  return [...events, ...handOut(afterReport, c.at, false, finishedNow)];
}

function failUndeliverable(c: FailUndeliverable, s: QueueState): QueueEvent[] {
  if (!s.queue.some((q) => q.commandUuid === c.commandUuid)) return handOut(s, c.at, false, new Set());
  const failed: QueueEvent = { type: 'CommandFailed', data: { commandUuid: c.commandUuid, status: 'Undeliverable', errorChain: [{ errorDomain: 'MDMServer', localizedDescription: c.reason.slice(0, 512) }], failedAt: c.at } };
  return [failed, ...handOut(s, c.at, false, new Set([c.commandUuid]))];
}

export function decideQueue(c: QueueCommandType, s: QueueState, status: EnrollmentStatus, leaving = false): QueueEvent[] {
  switch (c.type) {
    case 'QueueCommand':
      return queueCommand(c, s, status, leaving);
    case 'CancelCommand':
      return cancelCommand(c, s);
    case 'RequestNextCommand':
      return requestNext(c, s, status);
    case 'RecordReport':
      return recordReport(c, s, status);
    case 'FailUndeliverable':
      return failUndeliverable(c, s);
    default:
      return assertNever(c);
  }
}

/** Cancels everything still queued: a device leaving MDM will never run it. */
export function cancelAll(s: QueueState, at: string, reason: Exclude<CancellationReason, 'cancelled'>, cancelledBy: string): QueueEvent[] {
  return s.queue.map((q) => ({ type: 'CommandCancelled', data: { commandUuid: q.commandUuid, reason, cancelledBy, cancelledAt: at } }) as const);
}
