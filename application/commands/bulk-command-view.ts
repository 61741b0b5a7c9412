import type { BulkCommandState, BulkRefusal, BulkTarget } from '../../domain/bulk-command/bulk-command.js';
import { bulkListed } from '../../domain/bulk-command/bulk-command.js';

/** A bulk command as admins read it. */
export interface BulkCommandView {
  readonly bulkId: string;
  readonly target: BulkTarget;
  readonly requestType: string;
  /** Devices the request reaches. */
  readonly total: number;
  /** Devices handled so far (queued, already queued or refused). */
  readonly through: number;
  readonly queued: number;
  /** Devices that had the command already (a fan-out resumed after a crash counts its first devices here). */
  readonly alreadyQueued: number;
  readonly refused: readonly BulkRefusal[];
  /**
   * `listing`: the request failed before its whole device list was recorded (only lists of more
   * than 5,000 devices are recorded in parts); nothing is queued until the same request is re-sent.
   */
  readonly status: 'listing' | 'fanning-out' | 'completed';
  readonly priority?: number;
  readonly ttlSeconds?: number;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly completedAt?: string;
}

export function bulkCommandView(s: BulkCommandState): BulkCommandView | undefined {
  const r = s.requested;
  if (!r) return undefined;
  return {
    bulkId: r.bulkId,
    target: r.target,
    requestType: r.requestType,
    total: r.total,
    through: s.through,
    queued: s.queued,
    alreadyQueued: s.alreadyQueued,
    refused: s.refused,
    status: s.completedAt !== undefined ? 'completed' : bulkListed(s) ? 'fanning-out' : 'listing',
    ...(r.priority !== undefined ? { priority: r.priority } : {}),
    ...(r.ttlSeconds !== undefined ? { ttlSeconds: r.ttlSeconds } : {}),
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    ...(s.completedAt !== undefined ? { completedAt: s.completedAt } : {}),
  };
}
