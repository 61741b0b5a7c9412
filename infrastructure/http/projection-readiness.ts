import { Router } from 'express';
import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import { sendProblem } from './problem.js';

const DEFAULT_MAX_LAG_SECONDS = 30;

/**
 * /readyz/projections: whether the read models are running and caught up. Kept apart from
 * /readyz on purpose: a lagging or stopped read model makes queries stale, but devices must still
 * be served, so a load balancer should not take the server out for it.
 */
export function projectionReadiness(status: () => ProjectionStatus[]): Router {
  const router = Router();
  router.get('/readyz/projections', (req, res) => {
    const raw = req.query['maxLagSeconds'];
    const maxLag = raw === undefined ? DEFAULT_MAX_LAG_SECONDS : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(maxLag) || maxLag > 86_400) {
      sendProblem(res, { status: 400, title: 'Bad request', detail: 'maxLagSeconds must be a number of seconds from 0 to 86400' });
      return;
    }
    const projections = status();
    const behind = projections.filter((p) => p.state !== 'running' || p.lagSeconds > maxLag);
    if (behind.length === 0) {
      res.status(200).json({ status: 'ready', projections });
      return;
    }
    sendProblem(res, { status: 503, title: 'Read models not ready', detail: behind.map((p) => (p.state === 'running' ? `${p.name} lags ${p.lagSeconds.toFixed(1)} s` : `${p.name} is ${p.state}`)).join('; '), projections });
  });
  return router;
}
