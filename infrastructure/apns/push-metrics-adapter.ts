import type { PushMetrics } from '../../application/push/push-metrics.js';
import type { MetricsRegistry } from '../metrics/registry.js';

/** The push policy's counters, backed by the Prometheus registry. */
export function pushMetrics(registry: MetricsRegistry): PushMetrics {
  const outcomes = registry.counter('mdm_push_outcomes_total', 'APNs push outcomes by kind (delivered, unregistered, configuration-fault, retryable, ...).');
  const skipped = registry.counter('mdm_push_skipped_total', 'Pushes wanted but not sent, by reason.');
  const gaveUp = registry.counter('mdm_push_gave_up_total', 'Devices the push policy stopped re-pushing, by reason.');
  const faults = registry.counter('mdm_push_configuration_faults_total', 'APNs answers that point at the server configuration (certificate, topic), by reason.');
  const invalidated = registry.counter('mdm_push_tokens_invalidated_total', 'Device tokens APNs reported unregistered (410).');
  const circuit = registry.gauge('mdm_push_circuit_open', 'Whether pushes to a topic are suspended after a configuration fault (1) or not (0).');
  return {
    outcome: (kind) => outcomes.inc({ kind }),
    skipped: (reason) => skipped.inc({ reason }),
    gaveUp: (reason) => gaveUp.inc({ reason }),
    configurationFault: (_topic, reason) => faults.inc({ reason }),
    tokenInvalidated: () => invalidated.inc(),
    circuitChanged: (topic, state) => circuit.set(state === 'closed' ? 0 : 1, { topic }),
  };
}
