import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreUnavailableError } from '../../../application/ports/event-store.js';
import type { Logger } from '../../../application/ports/logger.js';
import { withDeadline } from './deadline.js';
import { toPortError } from './errors.js';

interface Generation {
  readonly client: EventStoreDBClient;
  /** Aborts for the calls running on this client. */
  readonly calls: Set<AbortController>;
}

/**
 * Owns the clients built from one connection string and runs every call under our deadline.
 *
 * A client that met an endpoint which accepts TCP and never answers stays wedged even after the
 * endpoint recovers: grpc-js has no connect timeout, so its HTTP/2 connection waits forever for
 * the server's first frame, and the client caches its pending server-features call, so every
 * later append waits behind it. So a call that times out retires the shared client: the calls
 * still running on it are aborted (they wait on the same silent connection), it is disposed with
 * its channel, and the next call builds a new client on a new connection.
 */
export class EsdbConnection {
  private current: Generation;
  private closed = false;
  /** The disposal of the last retired client; new calls wait for it (see retire). */
  private retiring: Promise<void> = Promise.resolve();

  constructor(
    private readonly connectionString: string,
    readonly deadlineMs: number,
    private readonly logger?: Logger,
  ) {
    // Parses the connection string now, so a malformed one fails at startup, not at first use.
    this.current = { client: this.newClient(), calls: new Set() };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A client of its own, for a subscription (its drops and reconnects stay its own). */
  newClient(): EventStoreDBClient {
    return EventStoreDBClient.connectionString(this.connectionString);
  }

  /**
   * Disposes a client; never rejects. dispose() only cancels the client's streams and leaves its
   * gRPC channel open, holding a reference to the connection in grpc-js's shared subchannel pool
   * (a silent connection is only dropped once nobody references it). So the channel is closed as
   * well, through the client's protected getChannel.
   */
  async disposeClient(client: EventStoreDBClient): Promise<void> {
    try {
      await client.dispose();
      const internals = client as unknown as { getChannel?: () => Promise<{ close(): void }> };
      (await internals.getChannel?.())?.close();
    } catch (error) {
      this.logger?.debug('EventStoreDB client disposal failed', { error: String(error) });
    }
  }

  /** Runs one call on the shared client, bounded by `ms`; the signal aborts on expiry or retirement. */
  async call<T>(what: string, run: (client: EventStoreDBClient, signal: AbortSignal) => Promise<T>, ms = this.deadlineMs): Promise<T> {
    if (this.closed) throw new EventStoreUnavailableError('EventStoreDB event store is closed');
    const generation = this.current;
    const abort = new AbortController();
    generation.calls.add(abort);
    try {
      const work = this.retiring.then(() => run(generation.client, abort.signal));
      return await withDeadline(work, ms, what, () => this.retire(generation, what));
    } catch (error) {
      throw toPortError(error, what);
    } finally {
      generation.calls.delete(abort);
    }
  }

  private retire(generation: Generation, what: string): void {
    if (this.closed || generation !== this.current) return;
    this.logger?.warn('EventStoreDB call timed out; replacing the client', { call: what, deadlineMs: this.deadlineMs });
    this.current = { client: this.newClient(), calls: new Set() };
    const reason = new EventStoreUnavailableError(`EventStoreDB client replaced after ${what} timed out`);
    for (const abort of generation.calls) abort.abort(reason);
    // grpc-js shares connections between channels with the same target and options: until the old
    // channel is closed, a new client would be handed the same silent connection. Closing it lets
    // the pool drop that connection, and the next call, which waits for this, opens a new one.
    this.retiring = this.disposeClient(generation.client);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reason = new EventStoreUnavailableError('EventStoreDB event store closed');
    for (const abort of this.current.calls) abort.abort(reason);
    await this.disposeClient(this.current.client);
  }
}
