import type { Filter } from '../ports/document-store.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { isoTime } from './command-history-queries.js';
import type { Consistency, ReadModels } from './read-models.js';

export const AUDIT_HISTORY = 'audit-history';

export interface AuditQuery {
  readonly udid?: string;
  /** "kind:id", e.g. "admin:alice". */
  readonly actor?: string;
  readonly type?: readonly string[];
  readonly from?: string;
  readonly until?: string;
  readonly correlationId?: string;
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
  readonly cursor?: string;
  readonly consistency?: Consistency;
}

export interface AuditPage {
  readonly entries: readonly JsonObject[];
  readonly nextCursor?: string;
  readonly stale?: true;
}

/** Audit history: every event as an entry, by device, actor, type and time range. */
export class AuditQueries {
  constructor(private readonly readModels: ReadModels) {}

  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const parts: Filter[] = [];
    if (query.udid !== undefined) parts.push({ udid: query.udid });
    if (query.actor !== undefined) parts.push({ actor: query.actor });
    if (query.type && query.type.length > 0) parts.push(query.type.length === 1 ? { type: query.type[0]! } : { type: { $in: [...query.type] } });
    if (query.correlationId !== undefined) parts.push({ correlationId: query.correlationId });
    if (query.from !== undefined) parts.push({ at: { $gte: isoTime(query.from, 'from') } });
    if (query.until !== undefined) parts.push({ at: { $lt: isoTime(query.until, 'until') } });
    const fresh = await this.readModels.settle(query.consistency, [AUDIT_HISTORY]);
    const page = await this.readModels.find(AUDIT_HISTORY, {
      ...(parts.length > 0 ? { filter: parts.length === 1 ? parts[0]! : { $and: parts } } : {}),
      // Position breaks ties of time in the same direction: events recorded together keep their order.
      sort: [{ path: 'at', direction: query.order ?? 'desc' }, { path: 'position', direction: query.order ?? 'desc' }],
      limit: query.limit ?? 100,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { entries: page.items.map((i) => i.doc), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), ...(fresh ? {} : { stale: true as const }) };
  }
}
