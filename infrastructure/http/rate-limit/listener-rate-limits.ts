import type { Request, RequestHandler } from 'express';
import type { Clock } from '../../../application/ports/clock.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import { cidrMatcher } from '../device/identity/cidr.js';
import { clientAddress } from '../device/web-enrollment/client-address.js';
import { FixedWindowLimiter } from './fixed-window-limiter.js';
import { failureRateLimit, refuseWithProblem, refuseWithText, requestRateLimit } from './rate-limit.js';

const MINUTE_MS = 60_000;

export interface ListenerRateLimitDeps {
  readonly metrics: MetricsRegistry;
  readonly clock: Clock;
}

/** The listeners' share of the configuration (MDM_RATE_LIMIT_*, MDM_TRUSTED_PROXY_CIDRS). */
export interface RateLimitSettings {
  readonly rateLimits: { readonly enrollmentPerMinute: number; readonly scepPerMinute: number; readonly adminAuthFailuresPerMinute: number };
  readonly trustedProxyCidrs: readonly string[];
}

/** Behind a proxy in MDM_TRUSTED_PROXY_CIDRS, the address it forwards (as the login throttle counts). */
const deviceClientAddress = (settings: RateLimitSettings): ((req: Request) => string) => {
  const isTrustedProxy = cidrMatcher(settings.trustedProxyCidrs);
  return (req) => clientAddress(req, isTrustedProxy);
};

/**
 * The enrollment routes (token links, the sign-in page, the OTA profile service): each request
 * builds or signs a profile or checks a password. Browsers read the text, devices the status.
 * Undefined when MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE is 0.
 */
export function enrollmentRateLimit(settings: RateLimitSettings, deps: ListenerRateLimitDeps): RequestHandler | undefined {
  const limit = settings.rateLimits.enrollmentPerMinute;
  if (limit === 0) return undefined;
  return requestRateLimit({ limiter: new FixedWindowLimiter({ limit, windowMs: MINUTE_MS }), endpoint: 'enrollment', ...deps, addressOf: deviceClientAddress(settings), refuse: refuseWithText });
}

/**
 * SCEP PKIOperation (decrypting, checking a challenge, signing a certificate); the CA's
 * certificates and capabilities are static answers and not limited. SCEP clients read the text.
 */
export function scepRateLimit(settings: RateLimitSettings, deps: ListenerRateLimitDeps): RequestHandler | undefined {
  const limit = settings.rateLimits.scepPerMinute;
  if (limit === 0) return undefined;
  return requestRateLimit({
    limiter: new FixedWindowLimiter({ limit, windowMs: MINUTE_MS }), endpoint: 'scep', ...deps, addressOf: deviceClientAddress(settings), refuse: refuseWithText,
    applies: (req) => req.query['operation'] === 'PKIOperation',
  });
}

/**
 * The admin API: an address whose requests were refused 401 too often gets 429 problem details for
 * all of them until the minute ends, tokens unchecked, so it cannot keep guessing. The admin
 * listener has no trusted proxies: the peer address counts.
 */
export function adminAuthFailureLimit(settings: RateLimitSettings, deps: ListenerRateLimitDeps): RequestHandler | undefined {
  const limit = settings.rateLimits.adminAuthFailuresPerMinute;
  if (limit === 0) return undefined;
  return failureRateLimit({
    limiter: new FixedWindowLimiter({ limit, windowMs: MINUTE_MS }), endpoint: 'admin-auth', ...deps, addressOf: (req) => req.socket.remoteAddress ?? 'unknown', refuse: refuseWithProblem,
    failureStatuses: [401],
  });
}
