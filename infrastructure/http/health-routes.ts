import { Router } from 'express';
import type { EventStore } from '../../application/ports/event-store.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { sendProblem } from './problem.js';

const READY_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * /healthz: the process is up (liveness; restart it if not).
 * /readyz: the event store answers (readiness; send traffic only then).
 * /metrics: Prometheus text.
 */
export function healthRoutes(deps: {
  eventStore: EventStore;
  metrics?: MetricsRegistry;
  isShuttingDown?: () => boolean;
  /** On an internet-facing listener, say what is wrong without naming hosts, ports or errors. */
  terseReasons?: boolean;
  /**
   * Informational checks shown in the readiness body (e.g. APNs). They never make the server
   * unready: a push outage does not stop devices that check in on their own.
   */
  details?: () => Record<string, unknown>;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown?.()) {
      sendProblem(res, { status: 503, title: 'Not ready', detail: 'the server is shutting down', checks: { eventStore: 'unknown' } });
      return;
    }
    try {
      await within(deps.eventStore.ping(), READY_TIMEOUT_MS);
      res.status(200).json({ status: 'ready', checks: { eventStore: 'ok' }, ...(deps.details ? { details: deps.details() } : {}) });
    } catch (error) {
      const detail = deps.terseReasons ? 'event store unreachable' : `event store unreachable: ${(error as Error).message}`;
      sendProblem(res, { status: 503, title: 'Not ready', detail, checks: { eventStore: 'unreachable' } });
    }
  });
  if (deps.metrics) {
    const metrics = deps.metrics;
    router.get('/metrics', (_req, res) => {
      res.type('text/plain; version=0.0.4').send(metrics.render());
    });
  }
  return router;
}
