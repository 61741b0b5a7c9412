import type { CompliancePolicies } from '../../../application/compliance/compliance-policies.js';
import type { ComplianceQueries } from '../../../application/read-models/compliance-queries.js';
import { POLICY_ID } from '../../../domain/compliance-policy/policy-id.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import type { ApiCall, ApiOperation, ApiReply } from './api-operation.js';
import { expectedRevisionOf } from './preconditions.js';

export interface PolicyDeps {
  readonly policies: CompliancePolicies;
  readonly compliance: ComplianceQueries;
}

const ID_SCHEMA = { type: 'string', pattern: POLICY_ID.source } as const;
const POLICY = { type: 'object', properties: { policyId: { type: 'string' }, name: { type: 'string' }, rules: { type: 'array' }, scope: { type: 'object' }, retired: { type: 'boolean' } } } as const;
// Rules and scope are checked by the domain, which names the rule at fault (422).
const RULES = { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] }, description: 'Rules, e.g. {"type":"passcode-required"}; see docs/compliance.md' } as const;
const SCOPE = { type: 'object', properties: { type: { enum: ['all', 'groups'] } }, required: ['type'], description: '{"type":"all"} or {"type":"groups","groups":["sales"]}' } as const;

const DEFINE_SCHEMA = {
  type: 'object',
  properties: { policyId: ID_SCHEMA, name: { type: 'string', minLength: 1, maxLength: 128 }, description: { type: 'string', maxLength: 1024 }, rules: RULES, scope: SCOPE },
  required: ['policyId', 'name', 'rules'],
  additionalProperties: false,
} as const;

const CHANGE_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, description: { type: 'string', maxLength: 1024 }, rules: RULES, scope: SCOPE },
  minProperties: 1,
  additionalProperties: false,
} as const;

const idOf = (call: ApiCall): string => {
  const id = call.params['policyId']!;
  if (!POLICY_ID.test(id)) throw new DomainError('unknown-policy', `no policy ${id}`);
  return id;
};

async function current(deps: PolicyDeps, policyId: string, status = 200): Promise<ApiReply> {
  const found = await deps.policies.versioned(policyId);
  if (!found) throw new DomainError('unknown-policy', `no policy ${policyId}`);
  return { status, body: found.policy, revision: found.revision };
}

export function policyOperations(deps: PolicyDeps): ApiOperation[] {
  const path = '/api/v1/policies/:policyId';
  const expected = (call: ApiCall) => {
    const expectedRevision = expectedRevisionOf(call.ifMatch);
    return expectedRevision !== undefined ? { expectedRevision } : {};
  };
  return [
    {
      method: 'get', path: '/api/v1/policies', operationId: 'listPolicies', roles: ['operator', 'auditor'],
      summary: 'The compliance policies in force (from the read model).',
      responses: { '200': { description: 'Policies', schema: { type: 'object', properties: { policies: { type: 'array', items: POLICY } }, required: ['policies'] } } },
      handle: async () => ({ status: 200, body: { policies: await deps.compliance.policies() } }),
    },
    {
      method: 'post', path: '/api/v1/policies', operationId: 'definePolicy', roles: ['operator'], body: DEFINE_SCHEMA, idempotent: true,
      summary: 'Define a compliance policy (rules, and the devices it concerns).',
      responses: { '201': { description: 'Defined; ETag is its revision', schema: POLICY }, '409': 'A policy with that id exists (or existed: retired ids stay taken)', '422': 'A rule or the scope is not valid' },
      handle: async (call) => {
        const { policyId, ...definition } = call.body as { policyId: string; name: string; description?: string; rules: unknown; scope?: unknown };
        await deps.policies.define(policyId, definition, call.actor, { commandId: call.commandId('define-policy') });
        return { ...(await current(deps, policyId, 201)), headers: { Location: `/api/v1/policies/${policyId}` } };
      },
    },
    {
      method: 'get', path, operationId: 'getPolicy', roles: ['operator', 'auditor'], params: { policyId: ID_SCHEMA },
      summary: 'One policy, retired or not, from its own stream; its ETag is the revision to send in If-Match.',
      responses: { '200': { description: 'The policy', schema: POLICY }, '404': 'No such policy' },
      handle: async (call) => current(deps, idOf(call)),
    },
    {
      method: 'patch', path, operationId: 'changePolicy', roles: ['operator'], params: { policyId: ID_SCHEMA }, body: CHANGE_SCHEMA, ifMatch: 'required',
      summary: 'Change a policy\'s name, description, rules or scope; members left out stay as they are.',
      responses: { '200': { description: 'The policy after the change', schema: POLICY }, '404': 'No such policy', '409': 'The policy is retired', '422': 'A rule or the scope is not valid' },
      handle: async (call) => {
        const policyId = idOf(call);
        await deps.policies.change(policyId, call.body, call.actor, expected(call));
        return current(deps, policyId);
      },
    },
    {
      method: 'delete', path, operationId: 'retirePolicy', roles: ['operator'], params: { policyId: ID_SCHEMA }, ifMatch: 'required',
      summary: 'Retire a policy: devices are no longer judged by it; its history stays and its id stays taken.',
      responses: { '200': { description: 'The retired policy', schema: POLICY }, '404': 'No such policy' },
      handle: async (call) => {
        const policyId = idOf(call);
        await deps.policies.retire(policyId, call.actor, expected(call));
        return current(deps, policyId);
      },
    },
  ];
}
