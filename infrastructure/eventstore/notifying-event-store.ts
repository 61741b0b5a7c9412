import type { EventStore } from '../../application/ports/event-store.js';

/** Calls `appended` after every successful append: how other readers of the store are woken. */
export function notifyingEventStore(inner: EventStore, appended: () => void): EventStore {
  return {
    append: async (streamId, events, expected) => {
      const result = await inner.append(streamId, events, expected);
      if (events.length > 0) appended();
      return result;
    },
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    subscribeToAll: (handler, options) => inner.subscribeToAll(handler, options),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
