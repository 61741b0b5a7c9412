import type { CommandQueueHooks } from '../../application/mdm/command-queue-service.js';
import type { MetricsRegistry } from '../metrics/registry.js';

/**
 * The CommandQueueService hook behind mdm_commands_queued_total{request_type}. The request type
 * has been validated against the known types before a command is queued, so the label stays
 * bounded.
 */
export function commandQueueMetrics(metrics: MetricsRegistry): Required<Pick<CommandQueueHooks, 'onCommandQueued'>> {
  const queued = metrics.counter('mdm_commands_queued_total', 'Commands queued on devices (one per device), by RequestType.');
  return { onCommandQueued: (requestType) => queued.inc({ request_type: requestType }) };
}
