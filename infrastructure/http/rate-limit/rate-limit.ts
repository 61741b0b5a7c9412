import type { Request, RequestHandler, Response } from 'express';
import type { Clock } from '../../../application/ports/clock.js';
import type { Counter, MetricsRegistry } from '../../metrics/registry.js';
import { sourceKey } from '../device/identity/failure-rate-limiter.js';
import { sendProblem } from '../problem.js';
import type { FixedWindowLimiter } from './fixed-window-limiter.js';

/** How a refusal is answered: what the route's clients read (problem details, plain text, a bare status). */
export type Refusal = (res: Response, retryAfterSeconds: number) => void;

export const refuseWithProblem: Refusal = (res, seconds) => sendProblem(res, { status: 429, type: 'urn:mdm:problem:rate-limited', detail: `too many requests from this address; retry in ${seconds} s` });
export const refuseWithText: Refusal = (res, seconds) => void res.status(429).type('text/plain').send(`too many requests; retry in ${seconds} s\n`);
/** Devices read status codes, not bodies. */
export const refuseBare: Refusal = (res) => void res.status(429).end();

export interface RateLimitOptions {
  readonly limiter: FixedWindowLimiter;
  /** The `endpoint` label of mdm_rate_limited_total. */
  readonly endpoint: string;
  readonly metrics: MetricsRegistry;
  readonly clock: Clock;
  /** The client address the limit counts by (an IPv6 /64 counts as one). */
  readonly addressOf: (req: Request) => string;
  readonly refuse: Refusal;
  /** Which requests count; all by default. */
  readonly applies?: (req: Request) => boolean;
}

export const rateLimitedCounter = (metrics: MetricsRegistry): Counter => metrics.counter('mdm_rate_limited_total', 'Requests refused with 429 by a per-address rate limit, by endpoint.');

function refuse(options: RateLimitOptions, refused: Counter, res: Response, waitMs: number): void {
  const seconds = Math.ceil(waitMs / 1000);
  refused.inc({ endpoint: options.endpoint });
  res.setHeader('Retry-After', String(seconds));
  options.refuse(res, seconds);
}

/** Every request counts; over the limit, it is refused before the route does any work. */
export function requestRateLimit(options: RateLimitOptions): RequestHandler {
  const refused = rateLimitedCounter(options.metrics);
  return (req, res, next) => {
    if (options.applies && !options.applies(req)) return next();
    const waitMs = options.limiter.take(sourceKey(options.addressOf(req)), options.clock.now().getTime());
    if (waitMs === 0) return next();
    refuse(options, refused, res, waitMs);
  };
}

/**
 * Only failed requests count (answered with one of `failureStatuses`), but once an address has
 * failed too often, all its requests are refused until the window ends, before the route (an
 * authentication check) runs at all. Other addresses are not affected.
 */
export function failureRateLimit(options: RateLimitOptions & { readonly failureStatuses: readonly number[] }): RequestHandler {
  const refused = rateLimitedCounter(options.metrics);
  return (req, res, next) => {
    if (options.applies && !options.applies(req)) return next();
    const key = sourceKey(options.addressOf(req));
    const waitMs = options.limiter.retryAfterMs(key, options.clock.now().getTime());
    if (waitMs > 0) return refuse(options, refused, res, waitMs);
    res.on('finish', () => {
      if (options.failureStatuses.includes(res.statusCode)) options.limiter.add(key, options.clock.now().getTime());
    });
    next();
  };
}
