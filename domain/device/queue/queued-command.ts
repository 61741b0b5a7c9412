import type { JsonObject } from '../../shared/json.js';

/**
 * A command's request as the queue keeps it: its RequestType and validated parameters. Large
 * payloads are references to stored blobs and secrets are sealed references; the plist sent to the
 * device is built from this at delivery and never stored.
 */
export type QueuedRequest = JsonObject & { readonly requestType: string };

export type QueuedCommandStatus =
  /** Waiting; never handed out, or handed out and its report lost (sent again with the same UUID). */
  | 'queued'
  /** Handed to the device; no report yet. */
  | 'delivered'
  /** The device answered NotNow: not handed out again until its next Idle. */
  | 'deferred';

export interface QueuedCommand {
  readonly commandUuid: string;
  readonly request: QueuedRequest;
  /** Higher first; FIFO within one priority. */
  readonly priority: number;
  readonly queuedAt: string;
  readonly expiresAt: string;
  /** Order of queueing, for FIFO within a priority. */
  readonly sequence: number;
  readonly status: QueuedCommandStatus;
  readonly deliveries: number;
  readonly deferrals: number;
}

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 100;
export const DEFAULT_PRIORITY = 50;
