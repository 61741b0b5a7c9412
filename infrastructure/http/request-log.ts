import type { RequestHandler } from 'express';
import type { Logger } from '../../application/ports/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { requestIdOf } from './request-id.js';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * One log line and one histogram observation per request. The route pattern, not the raw path,
 * labels the metric so device ids do not explode its cardinality. Query strings are never logged:
 * they can carry SCEP challenges.
 */
/** Paths that carry a secret (an enrollment token) are logged with the secret cut out. */
export const loggablePath = (path: string): string => path.replace(/^\/enroll\/[^/]+/, '/enroll/…');

export function requestLog(logger: Logger, metrics: MetricsRegistry, listener: string): RequestHandler {
  const seconds = metrics.histogram('mdm_http_request_seconds', 'HTTP request duration by listener, route and status.', SECONDS);
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      seconds.observe(elapsed, { listener, route: String(route), status: String(res.statusCode) });
      const level = res.statusCode >= 500 ? 'error' : req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics' ? 'debug' : 'info';
      logger[level]('request', { listener, requestId: requestIdOf(res), method: req.method, path: loggablePath(req.path), status: res.statusCode, ms: Math.round(elapsed * 1e4) / 10, remote: req.socket.remoteAddress });
    });
    next();
  };
}
