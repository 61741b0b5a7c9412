import type { Request, RequestHandler, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import type { ApiPrincipal, ApiRole, ApiTokens } from '../../../application/api-tokens/api-tokens.js';
import { sendProblem } from '../problem.js';
import { loggablePath } from '../request-log.js';
import { bootstrapPrincipal } from './bootstrap-admin-token.js';

export interface AuthDenial {
  readonly status: 401 | 403;
  readonly reason: 'missing-token' | 'invalid-token' | 'forbidden-role' | 'client-certificate-required';
  readonly method: string;
  readonly route: string;
  readonly principal?: ApiPrincipal;
  readonly remoteAddress: string;
}

export interface ApiAuthOptions {
  readonly tokens: ApiTokens;
  /** MDM_ADMIN_TOKEN: authenticates as admin. */
  readonly bootstrapToken?: string;
  /** Told of denials, at most once per remote address and reason per DENIAL_REPORT_MS. */
  readonly onDenied?: (denial: AuthDenial) => void;
  /**
   * Roles whose tokens count only over TLS with a client certificate the admin listener verified
   * (MDM_ADMIN_TLS_CLIENT_CA_FILE): a leaked gateway token alone is not enough.
   */
  readonly clientCertificateRoles?: readonly ApiRole[];
  /** Told of every denial (a metric), unlike `onDenied`. */
  readonly countDenial?: (reason: AuthDenial['reason']) => void;
  /** For tests: the clock of the denial rate limit. */
  readonly now?: () => number;
}

export interface ApiAuth {
  /** Sets `res.locals.principal`, or answers 401. */
  readonly authenticate: RequestHandler;
  /** After `authenticate`: 403 unless the principal has one of `roles` (admin always has). */
  requireRole(...roles: ApiRole[]): RequestHandler;
}

/** A client guessing tokens would otherwise write one log line or event per request. */
export const DENIAL_REPORT_MS = 10_000;
const DENIAL_KEYS_LIMIT = 10_000;
const BEARER = /^Bearer +(\S+) *$/i;

/** The principal `authenticate` set; undefined before it ran. */
export const principalOf = (res: Response): ApiPrincipal | undefined => res.locals['principal'] as ApiPrincipal | undefined;

export function apiAuth(options: ApiAuthOptions): ApiAuth {
  const now = options.now ?? Date.now;
  // In memory and per process: remote address + reason → when it was last reported. Entries older
  // than the window are swept when the map grows large, so an address flood cannot grow it forever.
  const lastReported = new Map<string, number>();
  const report = (req: Request, denial: Omit<AuthDenial, 'method' | 'route' | 'remoteAddress'>) => {
    options.countDenial?.(denial.reason);
    if (!options.onDenied) return;
    const remoteAddress = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const key = `${remoteAddress} ${denial.reason}`;
    const t = now();
    const last = lastReported.get(key);
    if (last !== undefined && t - last < DENIAL_REPORT_MS) return;
    if (lastReported.size >= DENIAL_KEYS_LIMIT) {
      for (const [k, at] of lastReported) if (t - at >= DENIAL_REPORT_MS) lastReported.delete(k);
      if (lastReported.size >= DENIAL_KEYS_LIMIT) return;
    }
    lastReported.set(key, t);
    options.onDenied({ ...denial, method: req.method, route: loggablePath(req.baseUrl + req.path), remoteAddress });
  };

  const unauthorized = (req: Request, res: Response, reason: 'missing-token' | 'invalid-token') => {
    report(req, { status: 401, reason });
    // One answer for unknown, wrong, revoked and expired tokens: a caller learns nothing about which.
    res.setHeader('WWW-Authenticate', reason === 'missing-token' ? 'Bearer' : 'Bearer error="invalid_token"');
    sendProblem(res, { status: 401, type: 'urn:mdm:problem:unauthorized', detail: reason === 'missing-token' ? 'a bearer token is required' : 'the bearer token is not valid' });
  };

  const authenticate: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') return unauthorized(req, res, 'missing-token');
    const bearer = BEARER.exec(header)?.[1];
    if (bearer === undefined || bearer.length > 512) return unauthorized(req, res, 'invalid-token');
    const bootstrap = bootstrapPrincipal(options.bootstrapToken, bearer);
    if (bootstrap) {
      res.locals['principal'] = bootstrap;
      return next();
    }
    options.tokens.authenticate(bearer).then((principal) => {
      if (!principal) return unauthorized(req, res, 'invalid-token');
      if (options.clientCertificateRoles?.includes(principal.role) && (req.socket as TLSSocket).authorized !== true) {
        report(req, { status: 403, reason: 'client-certificate-required', principal });
        return sendProblem(res, { status: 403, type: 'urn:mdm:problem:client-certificate-required', detail: `a ${principal.role} token is accepted only with a client certificate the server trusts` });
      }
      res.locals['principal'] = principal;
      next();
    }, next);
  };

  const requireRole = (...roles: ApiRole[]): RequestHandler => (req, res, next) => {
    const principal = principalOf(res);
    if (!principal) return unauthorized(req, res, 'missing-token');
    if (principal.role === 'admin' || roles.includes(principal.role)) return next();
    report(req, { status: 403, reason: 'forbidden-role', principal });
    sendProblem(res, { status: 403, type: 'urn:mdm:problem:forbidden', detail: `the ${principal.role} role may not do this` });
  };

  return { authenticate, requireRole };
}
