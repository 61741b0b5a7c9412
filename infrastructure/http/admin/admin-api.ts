import { Router } from 'express';
import type { IdempotencyRecords } from '../../../application/idempotency/idempotency-records.js';
import type { ApiAuth } from './api-auth.js';
import { mountOperations, operationPaths, type ApiOperation } from './api-operation.js';
import { bulkCommandOperations, type BulkCommandDeps } from './bulk-command-operations.js';
import { deviceCommandOperations, type DeviceCommandDeps } from './device-command-operations.js';
import { groupOperations, type GroupDeps } from './group-operations.js';
import { callCommandId, idempotency } from './idempotency.js';
import { policyOperations, type PolicyDeps } from './policy-operations.js';
import { profileOperations } from './profile-operations.js';
import { pushOperations, type PushDeps } from './push-operations.js';
import { API_PREFIX, queryApiRoutes, type QueryApiDeps } from './query-api-routes.js';
import { sessionPaths, sessionRoutes } from './session-routes.js';
import { tokenOperations, type TokenDeps } from './token-operations.js';

/** Everything the admin API (`/api/v1`) calls. */
export interface AdminApiDeps {
  readonly auth: ApiAuth;
  readonly idempotency: IdempotencyRecords;
  readonly queries: Omit<QueryApiDeps, 'authorize' | 'ownsDevice'>;
  readonly devices: DeviceCommandDeps;
  readonly groups: GroupDeps;
  readonly policies: Omit<PolicyDeps, 'compliance'>;
  readonly tokens: TokenDeps;
  readonly push: PushDeps;
  readonly bulk: Omit<BulkCommandDeps, 'groups' | 'inventory'>;
  /** Signing in as a person from the user store (POST /api/v1/sessions); absent: no such route. */
  readonly sessions?: Parameters<typeof sessionRoutes>[0];
  /** Operations added by other parts of the server (VPN). */
  readonly more?: readonly ApiOperation[];
}

export interface AdminApi {
  /** Authentication first, then every route; mounted at the admin listener's root. */
  readonly router: Router;
  /** The command side's paths for the OpenAPI document (the read side's are static). */
  readonly paths: Record<string, Record<string, unknown>>;
  readonly operations: readonly ApiOperation[];
}

export function adminApi(deps: AdminApiDeps): AdminApi {
  const authorize = (roles: Parameters<ApiAuth['requireRole']>) => deps.auth.requireRole(...roles);
  const operations: ApiOperation[] = [
    ...deviceCommandOperations(deps.devices),
    ...bulkCommandOperations({ ...deps.bulk, groups: deps.groups.groups, inventory: deps.queries.inventory }),
    ...groupOperations(deps.groups),
    ...policyOperations({ ...deps.policies, compliance: deps.queries.compliance }),
    ...profileOperations({ profiles: deps.groups.profiles }),
    ...tokenOperations(deps.tokens),
    ...pushOperations(deps.push),
    ...(deps.more ?? []),
  ];
  const router = Router();
  // Before authentication: signing in is how a person gets a token.
  if (deps.sessions) router.use(sessionRoutes(deps.sessions));
  router.use(API_PREFIX, deps.auth.authenticate);
  router.use(queryApiRoutes({
    ...deps.queries,
    authorize: (roles) => authorize([...roles]),
    ownsDevice: (username, udid) => deps.devices.selfService.owns(username, udid),
  }));
  router.use(mountOperations(operations, {
    authorize: (roles) => authorize([...roles]),
    idempotency: idempotency(deps.idempotency),
    commandId: callCommandId,
  }));
  return { router, paths: { ...operationPaths(operations), ...(deps.sessions ? sessionPaths : {}) }, operations };
}
