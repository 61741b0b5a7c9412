import { Router } from 'express';
import type { ApiTokens } from '../../../application/api-tokens/api-tokens.js';
import type { UserDirectory } from '../../../application/ports/user-directory.js';
import { sendProblem } from '../problem.js';
import { bodyOf, jsonBody } from './json-body.js';
import { API_PREFIX } from './query-api-routes.js';

/** How long a token from signing in lasts: a working day, then the person signs in again. */
export const SESSION_DAYS = 1;

export const SESSION_PATH = `${API_PREFIX}/sessions`;

export const SESSION_SCHEMA = {
  type: 'object',
  properties: { username: { type: 'string', minLength: 1, maxLength: 128 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
  required: ['username', 'password'],
  additionalProperties: false,
} as const;

/**
 * People from the built-in user store sign in with their password and get a user token: the API
 * then shows them the devices enrolled in their name. The one admin API route without a bearer
 * token; a wrong password is a 401 like a wrong token, so the listener's limit on authentication
 * failures per address applies to guessing passwords too.
 */
export function sessionRoutes(deps: { directory: UserDirectory; tokens: ApiTokens }): Router {
  const router = Router();
  router.post(SESSION_PATH, jsonBody(SESSION_SCHEMA), (_req, res, next) => {
    const { username, password } = bodyOf<{ username: string; password: string }>(res);
    deps.directory.authenticate(username, password).then(async (auth) => {
      if (!auth.ok) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        return sendProblem(res, { status: 401, type: 'urn:mdm:problem:unauthorized', detail: 'the user name or password is not right' });
      }
      const created = await deps.tokens.create({ role: 'user', name: `session ${auth.user.username}`.slice(0, 128), username: auth.user.username, expiresInDays: SESSION_DAYS }, { kind: 'user', id: auth.user.username });
      res.status(201).setHeader('Cache-Control', 'no-store').json({ token: created.token, tokenId: created.tokenId, username: auth.user.username, role: 'user', ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}) });
    }).catch(next);
  });
  return router;
}

/** Its OpenAPI path. */
export const sessionPaths = {
  [SESSION_PATH]: {
    post: {
      operationId: 'signIn',
      summary: 'Sign in as a person from the built-in user store: answers a user token (valid for a day) that sees only the devices enrolled in their name. No bearer token needed.',
      requestBody: { required: true, content: { 'application/json': { schema: SESSION_SCHEMA } } },
      responses: {
        '201': { description: 'Signed in', content: { 'application/json': { schema: { type: 'object', properties: { token: { type: 'string' }, tokenId: { type: 'string' }, username: { type: 'string' }, role: { const: 'user' }, expiresAt: { type: 'string' } }, required: ['token', 'tokenId', 'username'] } } } },
        '400': { description: 'The body is malformed', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        '401': { description: 'Wrong user name or password, or a disabled user', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        '429': { description: 'Too many failed attempts from this address', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  },
};
