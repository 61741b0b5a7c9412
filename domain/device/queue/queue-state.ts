import type { QueuedCommand } from './queued-command.js';
import type { ResultKind } from './events.js';

/**
 * The live queue: finished commands leave it (their history belongs to read models), so the state
 * stays small however long the stream grows. A short memory of finished UUIDs makes repeated
 * enqueues and late reports harmless.
 */
export interface QueueState {
  readonly queue: readonly QueuedCommand[];
  readonly nextSequence: number;
  readonly recentlyFinished: readonly string[];
  readonly lastSeenAt?: string;
  readonly resultFingerprints: Readonly<Partial<Record<ResultKind, string>>>;
}

export const RECENTLY_FINISHED_LIMIT = 256;

export const initialQueueState = (): QueueState => ({ queue: [], nextSequence: 0, recentlyFinished: [], resultFingerprints: {} });
