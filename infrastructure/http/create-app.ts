import express, { type Express } from 'express';
import type { Logger } from '../../application/ports/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { notFound, problemErrorHandler } from './problem.js';
import { requestIds } from './request-id.js';
import { requestLog } from './request-log.js';

/**
 * The frame every listener's app shares: a request id, request logging and metrics first, then the
 * listener's own routes, then 404 and error handling as problem details.
 */
export function createApp(listener: string, deps: { logger: Logger; metrics: MetricsRegistry }, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestIds());
  app.use(requestLog(deps.logger, deps.metrics, listener));
  mount(app);
  app.use(notFound);
  app.use(problemErrorHandler(deps.logger));
  return app;
}
