import type { Express, Router } from 'express';
import { inject, injectable, optional } from 'inversify';
import { EVENT_STORE, type EventStore } from '../../../application/ports/event-store.js';
import { LOGGER, type Logger } from '../../../application/ports/logger.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import { CRL_ROUTES, ENROLLMENT_ROUTES, LIFECYCLE, MDM_ROUTES, METRICS, SCEP_ROUTES, WEB_ENROLLMENT_ROUTES } from '../../tokens.js';
import { createApp } from '../create-app.js';
import { healthRoutes } from '../health-routes.js';

/**
 * The device listener's application (HTTPS; client certificates requested, not required at the
 * TLS layer): the MDM check-in and command endpoints, SCEP, and enrollment (token links, the
 * sign-in page, the OTA profile service). Load balancers get /healthz and /readyz on
 * this port too.
 */
@injectable()
export class DeviceHttp {
  constructor(
    @inject(EVENT_STORE) private readonly eventStore: EventStore,
    @inject(METRICS) private readonly metrics: MetricsRegistry,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @inject(MDM_ROUTES) private readonly mdm: Router,
    @inject(SCEP_ROUTES) private readonly scep: Router,
    @inject(ENROLLMENT_ROUTES) private readonly enrollment: Router,
    @inject(WEB_ENROLLMENT_ROUTES) private readonly webEnrollment: Router,
    @inject(CRL_ROUTES) @optional() private readonly crl?: Router,
  ) {}

  app(): Express {
    return createApp('device', { logger: this.logger, metrics: this.metrics }, (app) => {
      app.use(healthRoutes({ eventStore: this.eventStore, isShuttingDown: () => this.lifecycle.shuttingDown, terseReasons: true }));
      app.use(this.mdm);
      app.use('/scep', this.scep);
      app.use(this.enrollment);
      app.use(this.webEnrollment);
      if (this.crl) app.use(this.crl);
    });
  }
}
