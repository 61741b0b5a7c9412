import { Router, type Request, type RequestHandler, type Response } from 'express';
import { exportEvents } from '../../../application/audit/event-export.js';
import { InvalidQueryError, type Filter, type SortKey } from '../../../application/ports/document-store.js';
import type { EventStore } from '../../../application/ports/event-store.js';
import type { AuditQueries } from '../../../application/read-models/audit-queries.js';
import type { CommandHistoryQueries } from '../../../application/read-models/command-history-queries.js';
import type { ComplianceQueries } from '../../../application/read-models/compliance-queries.js';
import type { InventoryQueries } from '../../../application/read-models/inventory-queries.js';
import type { ProjectionStatus } from '../../../application/read-models/projection-runner.js';
import { ReadModelUnavailableError, type Consistency } from '../../../application/read-models/read-models.js';
import { sendProblem } from '../problem.js';
import { principalOf } from './api-auth.js';
import {
  AUDIT_PARAMS, COMMAND_HISTORY_PARAMS, COMPLIANCE_DEVICES_PARAMS, COMPLIANCE_SUMMARY_PARAMS, DEVICE_LIST_PARAMS, DEVICE_PARAMS,
  EVENT_EXPORT_PARAMS, INVENTORY_FIELD_PARAMS, PROJECTIONS_PARAMS,
} from './query-api-params.js';
import { parseQuery, QueryParamError } from './query-schema.js';

export type Role = 'admin' | 'operator' | 'auditor' | 'gateway' | 'user';

export interface QueryApiDeps {
  readonly inventory: InventoryQueries;
  readonly commandHistory: CommandHistoryQueries;
  readonly audit: AuditQueries;
  readonly compliance: ComplianceQueries;
  readonly status: () => ProjectionStatus[];
  readonly events: EventStore;
  /** Refuses the request unless its caller holds one of `roles` (admins always pass). */
  readonly authorize: (roles: readonly Role[]) => RequestHandler;
  /** Whether a device is enrolled in a person's name: a user token sees only those. */
  readonly ownsDevice: (username: string, udid: string) => Promise<boolean>;
}

export const API_PREFIX = '/api/v1';

/** Who may call each read route, besides admins. */
export const QUERY_API_ROLES = {
  devices: ['operator', 'auditor', 'user'],
  compliance: ['operator', 'auditor'],
  projections: ['operator', 'auditor'],
  audit: ['auditor'],
  events: ['auditor'],
} as const satisfies Record<string, readonly Role[]>;

const UDID = /^[A-Za-z0-9-]{1,128}$/;

/**
 * The read side of the admin API over the read models. Routes carry their full path so the router
 * can be mounted at the root beside the operations endpoints.
 */
export function queryApiRoutes(deps: QueryApiDeps): Router {
  const router = Router();
  /** The UDID of the path, when the caller may see that device; undefined reads as "no such device". */
  const visibleUdid = async (req: Request, res: Response): Promise<string | undefined> => {
    const udid = udidOf(req);
    const user = userOf(res);
    if (udid === undefined || user === undefined) return udid;
    return (await deps.ownsDevice(user, udid)) ? udid : undefined;
  };
  const { devices, compliance, projections, audit, events } = QUERY_API_ROLES;

  router.get(`${API_PREFIX}/devices`, deps.authorize(devices), handle(async (req, res) => {
    const filter: Record<string, string | number | boolean> = {};
    const q = parseQuery(DEVICE_LIST_PARAMS, req.query, (name, raw) => {
      const param = Object.hasOwn(INVENTORY_FIELD_PARAMS, name) ? INVENTORY_FIELD_PARAMS[name] : undefined;
      if (!param) return false;
      filter[name] = param.parse(raw, name);
      return true;
    });
    // A person sees the devices enrolled in their name, whatever they ask for.
    const user = userOf(res);
    if (user !== undefined) filter['user'] = user;
    const sort: SortKey[] | undefined = q.sort?.map((key) => (key.startsWith('-') ? { path: key.slice(1), direction: 'desc' } : { path: key, direction: 'asc' }));
    res.json(await deps.inventory.list({
      ...(Object.keys(filter).length > 0 ? { filter: filter as Filter } : {}),
      ...pick(q, ['group', 'seenWithinDays', 'notSeenForDays', 'certificateExpiringWithinDays', 'minimumOsVersion', 'limit', 'cursor', 'fields']),
      ...(sort ? { sort } : {}),
      ...consistencyOf(q),
    }));
  }));

  router.get(`${API_PREFIX}/devices/:udid`, deps.authorize(devices), handle(async (req, res) => {
    const q = parseQuery(DEVICE_PARAMS, req.query);
    const udid = await visibleUdid(req, res);
    const device = udid === undefined ? undefined : await deps.inventory.get(udid, consistencyOf(q).consistency);
    if (!device) return unknownDevice(res);
    res.json(device);
  }));

  router.get(`${API_PREFIX}/devices/:udid/commands`, deps.authorize(devices), handle(async (req, res) => {
    const q = parseQuery(COMMAND_HISTORY_PARAMS, req.query);
    const udid = await visibleUdid(req, res);
    if (udid === undefined) return unknownDevice(res);
    res.json(await deps.commandHistory.forDevice(udid, { ...pick(q, ['status', 'requestType', 'queuedFrom', 'queuedUntil', 'limit', 'cursor']), ...consistencyOf(q) }));
  }));

  router.get(`${API_PREFIX}/devices/:udid/compliance`, deps.authorize(devices), handle(async (req, res) => {
    const q = parseQuery(DEVICE_PARAMS, req.query);
    const udid = await visibleUdid(req, res);
    const entry = udid === undefined ? undefined : await deps.compliance.device(udid, consistencyOf(q).consistency);
    if (!entry) return unknownDevice(res);
    res.json(entry);
  }));

  router.get(`${API_PREFIX}/compliance`, deps.authorize(compliance), handle(async (req, res) => {
    const q = parseQuery(COMPLIANCE_SUMMARY_PARAMS, req.query);
    res.json(await deps.compliance.summary(consistencyOf(q).consistency));
  }));

  router.get(`${API_PREFIX}/compliance/devices`, deps.authorize(compliance), handle(async (req, res) => {
    const q = parseQuery(COMPLIANCE_DEVICES_PARAMS, req.query);
    res.json(await deps.compliance.list({ ...pick(q, ['status', 'policyId', 'limit', 'cursor']), ...consistencyOf(q) }));
  }));

  router.get(`${API_PREFIX}/audit`, deps.authorize(audit), handle(async (req, res) => {
    const q = parseQuery(AUDIT_PARAMS, req.query);
    res.json(await deps.audit.list({ ...pick(q, ['udid', 'actor', 'type', 'from', 'until', 'correlationId', 'order', 'limit', 'cursor']), ...consistencyOf(q) }));
  }));

  router.get(`${API_PREFIX}/events`, deps.authorize(events), handle(async (req, res) => {
    const q = parseQuery(EVENT_EXPORT_PARAMS, req.query);
    const exported = exportEvents(deps.events, {
      ...(q.stream !== undefined ? { streamId: q.stream } : {}),
      ...(q.type !== undefined ? { types: q.type } : {}),
      ...(q.since !== undefined ? { since: new Date(q.since) } : {}),
      ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
    });
    await streamNdjson(res, exported);
  }));

  router.get(`${API_PREFIX}/projections`, deps.authorize(projections), handle(async (req, res) => {
    parseQuery(PROJECTIONS_PARAMS, req.query);
    res.json({ projections: deps.status() });
  }));

  return router;
}

/**
 * Writes one JSON line per item, respecting backpressure. The first item is read before anything
 * is sent, so a store that cannot be read still answers with problem details; a failure later can
 * only cut the stream short, which a client sees as a body that does not end with a newline.
 */
async function streamNdjson(res: Response, items: AsyncGenerator<unknown>): Promise<void> {
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  try {
    let next = await items.next();
    res.status(200).type('application/x-ndjson').setHeader('Cache-Control', 'no-store');
    res.flushHeaders();
    while (!next.done && !closed) {
      if (!res.write(`${JSON.stringify(next.value)}\n`)) await drained(res);
      next = await items.next();
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    res.destroy(error as Error);
  } finally {
    await items.return(undefined);
  }
}

/** Resolves when the response can take more, or is gone; leaves no listener behind. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function handle(run: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    run(req, res).catch((error: unknown) => {
      if (res.headersSent) return next(error);
      if (error instanceof QueryParamError || error instanceof InvalidQueryError) {
        sendProblem(res, { status: 400, title: 'Invalid query', detail: error.message });
      } else if (error instanceof ReadModelUnavailableError) {
        sendProblem(res, { status: 503, title: 'Read model unavailable', detail: error.message });
      } else {
        next(error);
      }
    });
  };
}

function udidOf(req: Request): string | undefined {
  const udid = req.params['udid'];
  return typeof udid === 'string' && UDID.test(udid) ? udid : undefined;
}

function unknownDevice(res: Response): void {
  sendProblem(res, { status: 404, title: 'Unknown device', detail: 'no enrolled device has this UDID' });
}

function consistencyOf(q: { atLeastPosition?: number; waitMs?: number }): { consistency?: Consistency } {
  if (q.atLeastPosition === undefined) {
    if (q.waitMs !== undefined) throw new QueryParamError('waitMs is only meaningful with atLeastPosition');
    return {};
  }
  return { consistency: { atLeast: q.atLeastPosition, ...(q.waitMs !== undefined ? { timeoutMs: q.waitMs } : {}) } };
}

/** The given keys of `q` that hold a value: optional properties stay absent, not undefined. */
function pick<T extends object, K extends keyof T>(q: T, keys: readonly K[]): { [P in K]?: NonNullable<T[P]> } {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) if (q[key] !== undefined) out[key] = q[key];
  return out as { [P in K]?: NonNullable<T[P]> };
}

/** The person a user token speaks for; undefined for every other role. */
function userOf(res: Response): string | undefined {
  const principal = principalOf(res);
  return principal?.role === 'user' ? (principal.username ?? '') : undefined;
}
