import express, { type Express } from 'express';
import { inject, injectable } from 'inversify';
import { EVENT_STORE, type EventStore } from '../../../application/ports/event-store.js';
import { LOGGER, type Logger } from '../../../application/ports/logger.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import { LIFECYCLE, METRICS } from '../../tokens.js';
import { healthRoutes } from '../health-routes.js';
import { openApiDocument } from './openapi.js';
import { notFound, problemErrorHandler } from '../problem.js';
import { requestLog } from '../request-log.js';

/** The admin listener's application: operations endpoints now, the admin APIs as they arrive. */
@injectable()
export class AdminHttp {
  constructor(
    @inject(EVENT_STORE) private readonly eventStore: EventStore,
    @inject(METRICS) private readonly metrics: MetricsRegistry,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
  ) {}

  app(): Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(requestLog(this.logger, this.metrics, 'admin'));
    app.use(healthRoutes({ eventStore: this.eventStore, metrics: this.metrics, isShuttingDown: () => this.lifecycle.shuttingDown }));
    app.get('/openapi.json', (_req, res) => {
      res.json(openApiDocument);
    });
    app.use(notFound);
    app.use(problemErrorHandler(this.logger));
    return app;
  }
}
