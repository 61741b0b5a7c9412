import type { QueuedCommand } from './queued-command.js';

export interface SelectionContext {
  /** The device said Idle: a new session, so deferred commands are due again. */
  readonly idle: boolean;
  readonly now: string;
}

/**
 * A command past its time to live expires whatever its state, including one handed out and never
 * reported: otherwise a device that never answers would have it re-sent, first in line, forever.
 */
const expired = (c: QueuedCommand, now: string) => c.expiresAt <= now;

/** Commands whose time to live has passed. */
export function expiredCommands(queue: readonly QueuedCommand[], now: string): QueuedCommand[] {
  return queue.filter((c) => expired(c, now));
}

/**
 * Which command the device gets next. A command already out with the device comes first (its report
 * was lost, so it is sent again with the same UUID: delivery is at least once); then queued
 * commands, and on Idle deferred ones too, by priority and then in queue order. Expired commands are
 * never handed out.
 */
export function selectNext(queue: readonly QueuedCommand[], context: SelectionContext): QueuedCommand | undefined {
  const outstanding = queue.filter((c) => c.status === 'delivered').sort((a, b) => a.sequence - b.sequence)[0];
  if (outstanding) return outstanding;
  return queue
    .filter((c) => !expired(c, context.now) && (c.status === 'queued' || (context.idle && c.status === 'deferred')))
    .sort((a, b) => b.priority - a.priority || a.sequence - b.sequence)[0];
}
