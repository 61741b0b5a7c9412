import type { Express, Router } from 'express';
import { inject, injectable, optional } from 'inversify';
import { EVENT_STORE, type EventStore } from '../../../application/ports/event-store.js';
import { LOGGER, type Logger } from '../../../application/ports/logger.js';
import { CLOCK, systemClock, type Clock } from '../../../application/ports/clock.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import { CONFIG, CRL_ROUTES, ENROLLMENT_ROUTES, LIFECYCLE, MDM_ROUTES, METRICS, SCEP_ROUTES, WEB_ENROLLMENT_ROUTES } from '../../tokens.js';
import { createApp } from '../create-app.js';
import { healthRoutes } from '../health-routes.js';
import { enrollmentRateLimit, scepRateLimit, type RateLimitSettings } from '../rate-limit/listener-rate-limits.js';
import { mdmMessageMetrics } from './mdm/mdm-message-metrics.js';

/**
 * The device listener's application (HTTPS; client certificates requested, not required at the
 * TLS layer): the MDM check-in and command endpoints, SCEP, and enrollment (token links, the
 * sign-in page, the OTA profile service). Load balancers get /healthz and /readyz on
 * this port too. Enrollment and SCEP are rate-limited per client address (MDM_RATE_LIMIT_*; not
 * without a configuration).
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
    @inject(CONFIG) @optional() private readonly config?: RateLimitSettings,
    @inject(CLOCK) @optional() private readonly clock: Clock = systemClock,
  ) {}

  app(): Express {
    const limits = { metrics: this.metrics, clock: this.clock };
    const enrollmentLimit = this.config && enrollmentRateLimit(this.config, limits);
    const scepLimit = this.config && scepRateLimit(this.config, limits);
    return createApp('device', { logger: this.logger, metrics: this.metrics }, (app) => {
      app.use(healthRoutes({ eventStore: this.eventStore, isShuttingDown: () => this.lifecycle.shuttingDown, terseReasons: true }));
      if (enrollmentLimit) app.use(['/enroll', '/ota'], enrollmentLimit);
      if (scepLimit) app.use('/scep', scepLimit);
      app.use('/mdm', mdmMessageMetrics(this.metrics));
      app.use(this.mdm);
      app.use('/scep', this.scep);
      app.use(this.enrollment);
      app.use(this.webEnrollment);
      if (this.crl) app.use(this.crl);
    });
  }
}
