import type { RequestHandler } from 'express';
import type { Clock } from '../../application/ports/clock.js';
import type { DocumentStore } from '../../application/ports/document-store.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { AuditQueries } from '../../application/read-models/audit-queries.js';
import { CommandHistoryQueries } from '../../application/read-models/command-history-queries.js';
import { ComplianceQueries } from '../../application/read-models/compliance-queries.js';
import { InventoryQueries } from '../../application/read-models/inventory-queries.js';
import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import { ReadModels, type ProjectionProgress } from '../../application/read-models/read-models.js';
import type { QueryApiDeps, Role } from '../../infrastructure/http/admin/query-api-routes.js';

export const allowEveryone = (): RequestHandler => (_req, _res, next) => next();

/** The read API's dependencies over real read models, as the server builds them. */
export function queryApiDeps(stores: { events: EventStore; documents: DocumentStore; progress?: ProjectionProgress; status?: () => ProjectionStatus[] }, clock: Clock, authorize: (roles: readonly Role[]) => RequestHandler = allowEveryone): QueryApiDeps {
  const readModels = new ReadModels(stores.documents, stores.progress);
  return {
    inventory: new InventoryQueries(readModels, clock),
    commandHistory: new CommandHistoryQueries(readModels),
    audit: new AuditQueries(readModels),
    compliance: new ComplianceQueries(readModels, clock),
    status: stores.status ?? (() => []),
    events: stores.events,
    authorize,
    ownsDevice: async () => false,
  };
}
