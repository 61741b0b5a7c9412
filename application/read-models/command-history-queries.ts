import { InvalidQueryError, type Filter } from '../ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Consistency, ReadModels } from './read-models.js';

export const COMMAND_HISTORY = 'command-history';

const STATUSES = new Set(['queued', 'delivered', 'deferred', 'acknowledged', 'failed', 'expired', 'cancelled']);

export interface CommandHistoryQuery {
  readonly status?: readonly string[];
  readonly requestType?: string;
  /** ISO 8601: commands queued at or after / before. */
  readonly queuedFrom?: string;
  readonly queuedUntil?: string;
  readonly limit?: number;
  readonly cursor?: string;
  readonly consistency?: Consistency;
}

export interface CommandHistoryPage {
  readonly commands: readonly JsonObject[];
  readonly nextCursor?: string;
  readonly stale?: true;
}

/** What happened to each command a device was sent, newest first: admins check that commands ran. */
export class CommandHistoryQueries {
  constructor(private readonly readModels: ReadModels) {}

  async forDevice(udid: string, query: CommandHistoryQuery = {}): Promise<CommandHistoryPage> {
    const parts: Filter[] = [{ udid }];
    if (query.status && query.status.length > 0) {
      for (const s of query.status) if (!STATUSES.has(s)) throw new InvalidQueryError(`status ${JSON.stringify(s)} is not one of ${[...STATUSES].join(', ')}`);
      parts.push({ status: { $in: [...query.status] } });
    }
    if (query.requestType !== undefined) parts.push({ requestType: query.requestType });
    if (query.queuedFrom !== undefined) parts.push({ queuedAt: { $gte: isoTime(query.queuedFrom, 'queuedFrom') } });
    if (query.queuedUntil !== undefined) parts.push({ queuedAt: { $lt: isoTime(query.queuedUntil, 'queuedUntil') } });
    const fresh = await this.readModels.settle(query.consistency, [COMMAND_HISTORY]);
    const page = await this.readModels.find(COMMAND_HISTORY, {
      filter: parts.length === 1 ? parts[0]! : { $and: parts },
      sort: [{ path: 'queuedAt', direction: 'desc' }],
      limit: query.limit ?? 50,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { commands: page.items.map((i) => i.doc), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), ...(fresh ? {} : { stale: true as const }) };
  }
}

/** A time given by a caller, normalised to the ISO 8601 UTC form stored documents use. */
export function isoTime(value: string, name: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new InvalidQueryError(`${name} must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z`);
  return new Date(ms).toISOString();
}
