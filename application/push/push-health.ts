import type { TopicFault } from './topic-circuit-breaker.js';

/** Push health for /readyz-style detail: a configuration fault stays visible until a probe succeeds. */
export type PushHealth =
  | { readonly status: 'ok' }
  | {
      readonly status: 'fault';
      readonly reason: string;
      /** ISO-8601: when the oldest open fault began. */
      readonly since: string;
      readonly topic: string;
      /** ISO-8601: when the next probe push may go. */
      readonly reopensAt: string;
      /** How many topics are held back (one per push certificate in practice). */
      readonly topics: number;
    };

export function pushHealth(faults: readonly TopicFault[]): PushHealth {
  const oldest = [...faults].sort((a, b) => a.since.getTime() - b.since.getTime())[0];
  if (!oldest) return { status: 'ok' };
  return {
    status: 'fault',
    reason: oldest.reason,
    since: oldest.since.toISOString(),
    topic: oldest.topic,
    reopensAt: oldest.reopensAt.toISOString(),
    topics: faults.length,
  };
}
