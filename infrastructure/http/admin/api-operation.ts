import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ApiPrincipal, ApiRole } from '../../../application/api-tokens/api-tokens.js';
import type { Actor } from '../../../application/ports/event-store.js';
import { principalOf } from './api-auth.js';
import { answerError } from './api-errors.js';
import { bodyOf, compileSchema, jsonBody, type JsonSchema } from './json-body.js';
import { replyRecorderOf } from './idempotency.js';
import { ifMatchOf, PRECONDITION_REQUIRED, type IfMatch } from './preconditions.js';

/**
 * One admin API operation, declared once: its route, who may call it, its body schema and its
 * handler. The router and the OpenAPI document are both made from these declarations, so the
 * document cannot describe a body the route does not check.
 */
export interface ApiOperation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style (`/api/v1/groups/:name`); the OpenAPI path is derived. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** Roles besides admin (admins may call everything). */
  readonly roles: readonly ApiRole[];
  readonly params?: Readonly<Record<string, JsonSchema>>;
  readonly body?: JsonSchema;
  /** A body may be left out (it then stands for `{}`). */
  readonly bodyOptional?: boolean;
  /** Handled before `jsonBody` by the operation itself (a raw upload). */
  readonly rawBody?: { readonly mediaTypes: readonly string[]; readonly handler: RequestHandler };
  /** 'required': 428 without If-Match. 'optional': checked when given. */
  readonly ifMatch?: 'required' | 'optional';
  /** Honours Idempotency-Key (every POST that creates or queues something). */
  readonly idempotent?: boolean;
  /** Status code → description (and schema) for the OpenAPI document. */
  readonly responses: Readonly<Record<string, string | { description: string; schema?: JsonSchema }>>;
  readonly handle: (call: ApiCall) => Promise<ApiReply>;
}

export interface ApiCall {
  readonly req: Request;
  readonly res: Response;
  readonly principal: ApiPrincipal;
  readonly actor: Actor;
  readonly body: Record<string, unknown>;
  readonly params: Readonly<Record<string, string>>;
  readonly ifMatch: IfMatch;
  /** A stable id for this call's writes: derived from Idempotency-Key when one was given. */
  commandId(label: string): string;
}

export interface ApiReply {
  readonly status: number;
  readonly body?: unknown;
  /** The aggregate revision the body shows; sent as a strong ETag. */
  readonly revision?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The actor recorded in events: a user by name, anyone else by token name and id. */
export function actorOf(principal: ApiPrincipal): Actor {
  if (principal.role === 'user' && principal.username !== undefined) return { kind: 'user', id: principal.username };
  return { kind: principal.role, id: principal.tokenId === 'bootstrap' ? principal.name : `${principal.name} (${principal.tokenId.slice(0, 8)})` };
}

export interface OperationMountOptions {
  readonly authorize: (roles: readonly ApiRole[]) => RequestHandler;
  /** Wraps idempotent operations (Idempotency-Key); absent: keys are ignored. */
  readonly idempotency?: (operation: ApiOperation) => RequestHandler;
  /** Stable ids for writes; given the Idempotency-Key (if any) and the label. */
  readonly commandId: (res: Response, label: string) => string;
}

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

export function mountOperations(operations: readonly ApiOperation[], options: OperationMountOptions): Router {
  const router = Router();
  for (const op of operations) {
    if (op.body) compileSchema(op.body);
    const chain: RequestHandler[] = [options.authorize(op.roles)];
    if (op.rawBody) chain.push(op.rawBody.handler);
    else if (op.body) chain.push(jsonBody(op.body, { optional: op.bodyOptional === true }));
    if (op.idempotent && options.idempotency) chain.push(options.idempotency(op));
    chain.push((req, res, next) => {
      const ifMatch = ifMatchOf(req);
      if (ifMatch.kind === 'invalid') return answerError(res, Object.assign(new Error('If-Match must be one strong entity tag from this API ("<revision>")'), { status: 400 }));
      if (op.ifMatch === 'required' && ifMatch.kind === 'absent') return answerError(res, PRECONDITION_REQUIRED);
      const principal = principalOf(res)!;
      const params = Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)]));
      const call: ApiCall = {
        req, res, principal, actor: actorOf(principal), params, ifMatch,
        body: (op.body || op.rawBody ? bodyOf<Record<string, unknown>>(res) : {}) ?? {},
        commandId: (label) => options.commandId(res, label),
      };
      run(op, call).catch((error: unknown) => {
        if (res.headersSent) return next(error);
        answerError(res, error, next);
      });
    });
    router[op.method](op.path, ...chain);
  }
  return router;
}

/** Handles the call, has the answer recorded when it carried an Idempotency-Key, and sends it. */
async function run(op: ApiOperation, call: ApiCall): Promise<void> {
  const { res } = call;
  const handled = await op.handle(call);
  const recorder = replyRecorderOf(res);
  const reply = recorder ? await recorder(handled) : handled;
  if (res.headersSent) return;
  if (reply.revision !== undefined) res.setHeader('ETag', `"${reply.revision}"`);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.body === undefined) res.status(reply.status).end();
  else res.status(reply.status).json(reply.body);
}

const problemRef = { description: 'RFC 9457 problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

/** The OpenAPI paths of `operations`. */
export function operationPaths(operations: readonly ApiOperation[]): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = toOpenApiPath(op.path);
    const names = [...op.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const headers = [
      ...(op.ifMatch ? [{ name: 'If-Match', in: 'header', required: op.ifMatch === 'required', schema: { type: 'string' }, description: 'The ETag of the resource as last read ("<revision>").' }] : []),
      ...(op.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 }, description: 'Repeating a request with the same key returns the first answer; a different request under the same key is refused with 422.' }] : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(op.responses)) {
      const { description, schema } = typeof spec === 'string' ? { description: spec, schema: undefined } : spec;
      responses[status] = Number(status) >= 400 ? { ...problemRef, description } : { description, ...(schema ? { content: { 'application/json': { schema } } } : {}) };
    }
    for (const status of ['401', '403']) responses[status] ??= { ...problemRef, description: status === '401' ? 'No valid bearer token' : 'The role may not do this' };
    if (op.body || op.rawBody) responses['400'] ??= { ...problemRef, description: 'The body is malformed or does not match the schema' };
    if (op.ifMatch) {
      responses['412'] ??= { ...problemRef, description: 'If-Match does not match the current revision' };
      if (op.ifMatch === 'required') responses['428'] ??= { ...problemRef, description: 'If-Match is required' };
    }
    paths[path] ??= {};
    paths[path][op.method] = {
      operationId: op.operationId,
      summary: `${op.summary} Roles: ${op.roles.length > 0 ? `${op.roles.join(', ')} (and admin)` : 'admin only'}.`,
      security: [{ bearer: [] }],
      ...(names.length > 0 || headers.length > 0
        ? { parameters: [...names.map((name) => ({ name, in: 'path', required: true, schema: op.params?.[name] ?? { type: 'string' } })), ...headers] }
        : {}),
      ...(op.body ? { requestBody: { required: op.bodyOptional !== true, content: { 'application/json': { schema: op.body } } } } : {}),
      ...(op.rawBody ? { requestBody: { required: true, content: Object.fromEntries(op.rawBody.mediaTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) } } : {}),
      responses,
    };
  }
  return paths;
}
