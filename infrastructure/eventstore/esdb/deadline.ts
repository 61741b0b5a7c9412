import { EventStoreUnavailableError } from '../../../application/ports/event-store.js';

/**
 * Our own deadline around a client call. The client can wait forever on an endpoint that accepts
 * TCP but never answers: reads and subscriptions run with an infinite gRPC deadline, and the first
 * append waits for a server-features call that has none. Only a timer of ours bounds them.
 *
 * On expiry the returned promise rejects with EventStoreUnavailableError and `onTimeout` runs (to
 * cancel the call and replace a client that may be wedged). The late outcome of `work` is ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      work.catch(() => undefined);
      reject(new EventStoreUnavailableError(`EventStoreDB did not answer ${what} within ${ms} ms`));
      onTimeout?.();
    }, ms);
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}
