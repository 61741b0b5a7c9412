import {
  ConcurrencyError,
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.js';
import type { MetricsRegistry } from '../metrics/registry.js';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Wraps any EventStore to count appends, events, conflicts and time spent, whatever the adapter. */
export function instrumentEventStore(inner: EventStore, registry: MetricsRegistry, adapter: string): EventStore {
  const appends = registry.counter('mdm_event_store_appends_total', 'Appends by outcome (ok, conflict, error).');
  const events = registry.counter('mdm_event_store_events_appended_total', 'Events appended.');
  const appendSeconds = registry.histogram('mdm_event_store_append_seconds', 'Time from append call to durable commit.', SECONDS);
  const readSeconds = registry.histogram('mdm_event_store_read_seconds', 'Time to read a stream or a page of $all.', SECONDS);
  const labels = { adapter };

  const timed = async <T>(h: typeof readSeconds, kind: string, run: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      return await run();
    } finally {
      h.observe(Number(process.hrtime.bigint() - started) / 1e9, { ...labels, kind });
    }
  };

  return {
    async append(streamId: string, batch: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
      try {
        const result = await timed(appendSeconds, 'append', () => inner.append(streamId, batch, expected));
        appends.inc({ ...labels, outcome: 'ok' });
        events.inc(labels, batch.length);
        return result;
      } catch (error) {
        appends.inc({ ...labels, outcome: error instanceof ConcurrencyError ? 'conflict' : 'error' });
        throw error;
      }
    },
    readStream: (streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> => timed(readSeconds, 'stream', () => inner.readStream(streamId, options)),
    readAll: (options?: ReadAllOptions): Promise<RecordedEvent[]> => timed(readSeconds, 'all', () => inner.readAll(options)),
    subscribeToAll: (handler: EventHandler, options?: SubscribeOptions): Subscription => inner.subscribeToAll(handler, options),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
