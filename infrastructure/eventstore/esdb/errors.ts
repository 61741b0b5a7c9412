import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
} from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../../../application/ports/event-store.js';

// gRPC status codes, for errors the client passes through without converting them.
const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/**
 * Whether an error means "the store did not answer" (down, unreachable, refused, timed out, no
 * leader right now) rather than "the store answered no". Only the first kind becomes
 * EventStoreUnavailableError; the second keeps its meaning (ConcurrencyError, EventTooLargeError)
 * or stays a plain error.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || error instanceof TimeoutError) return true;
  if (error instanceof CancelledError || error instanceof NotLeaderError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === UNAVAILABLE || code === DEADLINE_EXCEEDED || code === CANCELLED;
}

export function toPortError(error: unknown, what: string): unknown {
  if (error instanceof EventStoreUnavailableError || !isUnavailable(error)) return error;
  return new EventStoreUnavailableError(`EventStoreDB unavailable during ${what}: ${(error as Error).message}`, { cause: error });
}

/**
 * Whether a subscription should resubscribe after this error rather than give up: a drop or an
 * unknown server failure is worth another try; a refusal (access denied), a failing handler or an
 * event we cannot represent will fail the same way again.
 */
export function isTransient(error: unknown): boolean {
  return isUnavailable(error) || error instanceof UnknownError;
}
