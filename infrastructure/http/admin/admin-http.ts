import type { Express, Router } from 'express';
import { inject, injectable, optional } from 'inversify';
import { EVENT_STORE, type EventStore } from '../../../application/ports/event-store.js';
import { LOGGER, type Logger } from '../../../application/ports/logger.js';
import { CLOCK, systemClock, type Clock } from '../../../application/ports/clock.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import type { ProjectionStatus } from '../../../application/read-models/projection-runner.js';
import { ADMIN_API_PATHS, ADMIN_API_ROUTES, CONFIG, LIFECYCLE, METRICS, PROJECTION_STATUS, READINESS_DETAILS } from '../../tokens.js';
import { adminAuthFailureLimit, type RateLimitSettings } from '../rate-limit/listener-rate-limits.js';
import { API_PREFIX } from './query-api-routes.js';
import { projectionReadiness } from '../projection-readiness.js';
import { createApp } from '../create-app.js';
import { healthRoutes } from '../health-routes.js';
import { openApiDocument } from './openapi.js';

/** The admin listener's application: operations endpoints and the admin APIs. */
@injectable()
export class AdminHttp {
  constructor(
    @inject(EVENT_STORE) private readonly eventStore: EventStore,
    @inject(METRICS) private readonly metrics: MetricsRegistry,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @inject(READINESS_DETAILS) @optional() private readonly details?: () => Record<string, unknown>,
    @inject(PROJECTION_STATUS) @optional() private readonly projections?: () => ProjectionStatus[],
    /** The /api/v1 routes, authentication first (bound only with the token store). */
    @inject(ADMIN_API_ROUTES) @optional() private readonly api?: Router,
    /** The paths of the operations in `api` beyond the read routes (which the static document holds). */
    @inject(ADMIN_API_PATHS) @optional() private readonly apiPaths?: Record<string, Record<string, unknown>>,
    /** MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE; no limit without a configuration. */
    @inject(CONFIG) @optional() private readonly config?: RateLimitSettings,
    @inject(CLOCK) @optional() private readonly clock: Clock = systemClock,
  ) {}

  /** The OpenAPI document of exactly what this listener serves. */
  openApi(): typeof openApiDocument {
    if (!this.apiPaths) return openApiDocument;
    // A path may have read methods in the static document and write methods among the operations.
    const paths: Record<string, Record<string, unknown>> = { ...openApiDocument.paths };
    for (const [path, methods] of Object.entries(this.apiPaths)) paths[path] = { ...paths[path], ...methods };
    return { ...openApiDocument, paths } as typeof openApiDocument;
  }

  app(): Express {
    return createApp('admin', { logger: this.logger, metrics: this.metrics }, (app) => {
      app.use(healthRoutes({ eventStore: this.eventStore, metrics: this.metrics, isShuttingDown: () => this.lifecycle.shuttingDown, ...(this.details ? { details: this.details } : {}) }));
      if (this.projections) app.use(projectionReadiness(this.projections));
      const authFailureLimit = this.config && adminAuthFailureLimit(this.config, { metrics: this.metrics, clock: this.clock });
      if (this.api && authFailureLimit) app.use(API_PREFIX, authFailureLimit);
      if (this.api) app.use(this.api);
      const document = this.openApi();
      app.get('/openapi.json', (_req, res) => {
        res.json(document);
      });
    });
  }
}
