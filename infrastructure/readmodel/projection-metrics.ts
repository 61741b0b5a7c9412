import type { ProjectionStatus } from '../../application/read-models/projection-runner.js';
import type { MetricsRegistry } from '../metrics/registry.js';

/** Projection progress on /metrics: lag in events and seconds, position, and which ones stopped. */
export function registerProjectionMetrics(metrics: MetricsRegistry, runner: { status(): ProjectionStatus[] }): { onBatch(events: number, ms: number, shard?: string): void; onFailure(name: string): void } {
  const per = <T>(value: (s: ProjectionStatus) => T) => () => runner.status().map((s) => [{ projection: s.name }, Number(value(s))] as const);
  metrics.sampledGauges('mdm_projection_lag_events', 'Events received and not yet applied, per projection.', per((s) => s.lagEvents));
  metrics.sampledGauges('mdm_projection_lag_seconds', 'Age of the oldest event not yet applied, per projection (0 when caught up).', per((s) => s.lagSeconds));
  metrics.sampledGauges('mdm_projection_position', 'Event position last applied, per projection.', per((s) => s.position));
  metrics.sampledGauges('mdm_projection_failed', '1 when the projection stopped on an event it cannot apply.', per((s) => s.state === 'failed'));
  const applied = metrics.counter('mdm_projection_events_total', 'Events folded, per read-model shard (each shard folds every event once).');
  const failures = metrics.counter('mdm_projection_failures_total', 'Projections stopped on an event they cannot apply.');
  const batches = metrics.histogram('mdm_projection_batch_seconds', 'Time to fold and commit one batch of events.', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  return {
    onBatch(events, ms, shard) {
      applied.inc(shard ? { shard } : {}, events);
      batches.observe(ms / 1000, shard ? { shard } : {});
    },
    onFailure(name) {
      failures.inc({ projection: name });
    },
  };
}
