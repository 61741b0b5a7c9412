import type { PushOutcomeKind } from '../ports/push-sender.js';

/** Why a wanted push was not sent. */
export type PushSkipReason = 'not-pushable' | 'token-unregistered' | 'in-flight' | 'tracking-full';

/** Why the coordinator stopped re-pushing a device (until the next requestPush). */
export type PushGiveUpReason = 'repush-limit' | 'retry-limit' | 'unregistered-limit';

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Counters the push policy reports. The composition root backs them with the metrics registry;
 * the application never imports infrastructure.
 */
export interface PushMetrics {
  outcome(kind: PushOutcomeKind): void;
  skipped(reason: PushSkipReason): void;
  gaveUp(reason: PushGiveUpReason): void;
  configurationFault(topic: string, reason: string): void;
  tokenInvalidated(): void;
  circuitChanged(topic: string, state: CircuitState): void;
}

export const noPushMetrics: PushMetrics = {
  outcome: () => {},
  skipped: () => {},
  gaveUp: () => {},
  configurationFault: () => {},
  tokenInvalidated: () => {},
  circuitChanged: () => {},
};
