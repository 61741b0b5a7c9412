import type { ApiTokens } from '../../../application/api-tokens/api-tokens.js';
import type { EnrollmentTokens } from '../../../application/enrollment/enrollment-tokens.js';
import { API_ROLES } from '../../../domain/api-token/api-token.js';
import { GROUP_NAME } from '../../../domain/device-group/group-names.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import type { ApiOperation } from './api-operation.js';

export interface TokenDeps {
  readonly apiTokens: ApiTokens;
  readonly enrollmentTokens: EnrollmentTokens;
  /** The device listener's public URL, for the enrollment link. */
  readonly publicUrl: string;
}

const HEX_ID = { type: 'string', pattern: '^[0-9a-f]{32}$' } as const;
const NAME = { type: 'string', pattern: '^[\\p{L}\\p{N} ._@+:-]{1,128}$' } as const;

const CREATE_ENROLLMENT_TOKEN = {
  type: 'object',
  properties: {
    maxUses: { type: 'integer', minimum: 1, maximum: 100_000, description: 'Devices that may enroll with it (default 1)' },
    ttlHours: { type: 'integer', minimum: 1, maximum: 24 * 365, description: 'Valid for this long (default a week)' },
    user: { ...NAME, description: 'Enrolled devices belong to this person' },
    group: { type: 'string', pattern: GROUP_NAME.source, description: 'Enrolled devices join this group' },
  },
  additionalProperties: false,
} as const;

const CREATE_API_TOKEN = {
  type: 'object',
  properties: {
    role: { enum: [...API_ROLES] },
    name: NAME,
    username: { ...NAME, description: 'A user token only: the person whose devices it may see' },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 3660 },
  },
  required: ['role', 'name'],
  additionalProperties: false,
} as const;

export function tokenOperations(deps: TokenDeps): ApiOperation[] {
  const base = deps.publicUrl.replace(/\/+$/, '');
  return [
    {
      method: 'post', path: '/api/v1/enrollment-tokens', operationId: 'createEnrollmentToken', roles: ['operator'], body: CREATE_ENROLLMENT_TOKEN, bodyOptional: true, idempotent: true,
      summary: 'Create an enrollment token. The token and its enrollment URL are shown in this answer only; the server keeps a hash.',
      responses: {
        '201': { description: 'Created', schema: { type: 'object', properties: { tokenId: { type: 'string' }, token: { type: 'string' }, url: { type: 'string' }, expiresAt: { type: 'string' }, maxUses: { type: 'integer' } }, required: ['tokenId', 'token', 'url', 'expiresAt'] } },
        '422': 'Not acceptable values',
      },
      handle: async (call) => {
        const body = call.body as { maxUses?: number; ttlHours?: number; user?: string; group?: string };
        const created = await deps.enrollmentTokens.create({
          ...(body.maxUses !== undefined ? { maxUses: body.maxUses } : {}),
          ...(body.ttlHours !== undefined ? { ttlMs: body.ttlHours * 3_600_000 } : {}),
          ...(body.user !== undefined ? { user: body.user } : {}),
          ...(body.group !== undefined ? { group: body.group } : {}),
          actor: call.actor,
        });
        return { status: 201, body: { tokenId: created.tokenId, token: created.token, url: `${base}/enroll/${created.token}`, expiresAt: created.expiresAt, maxUses: body.maxUses ?? 1 }, headers: { 'Cache-Control': 'no-store' } };
      },
    },
    {
      method: 'get', path: '/api/v1/enrollment-tokens/:tokenId', operationId: 'getEnrollmentToken', roles: ['operator', 'auditor'], params: { tokenId: HEX_ID },
      summary: 'What is recorded about an enrollment token (never its secret): uses, expiry, revocation.',
      responses: { '200': { description: 'The token', schema: { type: 'object' } }, '404': 'No such token' },
      handle: async (call) => {
        const state = await deps.enrollmentTokens.describe(call.params['tokenId']!);
        if (!state?.created) throw new DomainError('unknown-token', `no enrollment token ${call.params['tokenId']}`);
        const { secretHash: _hash, ...created } = state.created;
        return { status: 200, body: { ...created, uses: state.uses, revoked: state.revoked } };
      },
    },
    {
      method: 'delete', path: '/api/v1/enrollment-tokens/:tokenId', operationId: 'revokeEnrollmentToken', roles: ['operator'], params: { tokenId: HEX_ID },
      summary: 'Revoke an enrollment token (a leaked link): nothing more enrolls with it.',
      responses: { '204': 'Revoked (or revoked before)', '404': 'No such token' },
      handle: async (call) => {
        await deps.enrollmentTokens.revoke(call.params['tokenId']!, call.actor);
        return { status: 204 };
      },
    },
    {
      method: 'get', path: '/api/v1/tokens', operationId: 'listApiTokens', roles: [],
      summary: 'Every API token ever created (never a secret nor its hash), revoked ones included.',
      responses: { '200': { description: 'Tokens', schema: { type: 'object', properties: { tokens: { type: 'array', items: { type: 'object' } } }, required: ['tokens'] } } },
      handle: async () => ({ status: 200, body: { tokens: await deps.apiTokens.list() } }),
    },
    {
      method: 'post', path: '/api/v1/tokens', operationId: 'createApiToken', roles: [], body: CREATE_API_TOKEN, idempotent: true,
      summary: 'Create an API token with one role. The token is shown in this answer only; the server keeps a hash.',
      responses: { '201': { description: 'Created', schema: { type: 'object', properties: { tokenId: { type: 'string' }, token: { type: 'string' }, expiresAt: { type: 'string' } }, required: ['tokenId', 'token'] } }, '422': 'A user token without a username, or another role with one' },
      handle: async (call) => {
        const body = call.body as { role: (typeof API_ROLES)[number]; name: string; username?: string; expiresInDays?: number };
        const created = await deps.apiTokens.create(body, call.actor);
        return { status: 201, body: { ...created, role: body.role, name: body.name }, headers: { 'Cache-Control': 'no-store' } };
      },
    },
    {
      method: 'delete', path: '/api/v1/tokens/:tokenId', operationId: 'revokeApiToken', roles: [], params: { tokenId: HEX_ID },
      summary: 'Revoke an API token; it stops working at once on this server (within seconds on others).',
      responses: { '204': 'Revoked (or revoked before)', '404': 'No such token' },
      handle: async (call) => {
        await deps.apiTokens.revoke(call.params['tokenId']!, call.actor);
        return { status: 204 };
      },
    },
  ];
}
