import type { Express, Router } from 'express';
import { inject, injectable, optional } from 'inversify';
import { EVENT_STORE, type EventStore } from '../../../application/ports/event-store.js';
import { LOGGER, type Logger } from '../../../application/ports/logger.js';
import { CLOCK, systemClock, type Clock } from '../../../application/ports/clock.js';
import type { Lifecycle } from '../../lifecycle.js';
import type { MetricsRegistry } from '../../metrics/registry.js';
import { CONFIG, CRL_ROUTES, LIFECYCLE, METRICS, SCEP_ROUTES } from '../../tokens.js';
import { createApp } from '../create-app.js';
import { healthRoutes } from '../health-routes.js';
import { scepRateLimit, type RateLimitSettings } from '../rate-limit/listener-rate-limits.js';

/**
 * The optional plain-HTTP listener (MDM_HTTP_PORT). Only what is safe without TLS: the CRL (signed
 * by the CA) and SCEP, whose
 * messages are signed and encrypted end to end (a SCEP payload cannot pin the server certificate,
 * so some clients cannot use HTTPS with a private CA), and health for load balancers. Nothing that
 * identifies a device or carries a token is served here.
 */
@injectable()
export class PlainHttp {
  constructor(
    @inject(EVENT_STORE) private readonly eventStore: EventStore,
    @inject(METRICS) private readonly metrics: MetricsRegistry,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @inject(SCEP_ROUTES) private readonly scep: Router,
    @inject(CRL_ROUTES) @optional() private readonly crl?: Router,
    @inject(CONFIG) @optional() private readonly config?: RateLimitSettings,
    @inject(CLOCK) @optional() private readonly clock: Clock = systemClock,
  ) {}

  app(): Express {
    // This listener's own count: a client reaching SCEP on both listeners gets the limit on each.
    const scepLimit = this.config && scepRateLimit(this.config, { metrics: this.metrics, clock: this.clock });
    return createApp('http', { logger: this.logger, metrics: this.metrics }, (app) => {
      app.use(healthRoutes({ eventStore: this.eventStore, isShuttingDown: () => this.lifecycle.shuttingDown, terseReasons: true }));
      if (scepLimit) app.use('/scep', scepLimit);
      app.use('/scep', this.scep);
      // Relying parties (the VPN gateway) fetch CRLs over plain HTTP, as is customary.
      if (this.crl) app.use(this.crl);
    });
  }
}
