import type { Decider } from '../domain/shared/decider.js';
import { eventIdFor, isUuid } from './deterministic-ids.js';
import type { StateCache } from './state-cache.js';
import {
  ConcurrencyError,
  type Actor,
  type EventStore,
  type NewEvent,
  type Position,
  type RecordedEvent,
  type StreamRevision,
} from './ports/event-store.js';

/** Who asks for what, and why: becomes the metadata of every event the command causes. */
export interface CommandEnvelope<Command> {
  /** A UUID chosen by the caller; re-sending the same id never appends twice. */
  readonly commandId: string;
  readonly command: Command;
  readonly actor: Actor;
  readonly correlationId?: string;
  /** ISO-8601 time the command was accepted (the application's clock, never the domain's). */
  readonly occurredAt: string;
}

export interface CommandResult<Event, State = unknown> {
  readonly events: Event[];
  /** The aggregate's state after the command (its new events applied). */
  readonly state: State;
  /** Revision of the stream after the command (-1: the stream still does not exist). */
  readonly nextRevision: StreamRevision;
  /** Position of the command's last event; undefined when it caused none. */
  readonly position: Position | undefined;
  /** True when the command had been handled before and its original outcome is returned. */
  readonly replayed: boolean;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

export interface HandlingOptions<State> {
  readonly retry?: RetryPolicy;
  /**
   * Start from a cached state and read only the events after it. A re-submitted command is then
   * recognised only among those events, so use a cache only for aggregates whose decider is itself
   * idempotent for the commands that can be re-submitted (the Device queue is, by CommandUUID).
   */
  readonly cache?: StateCache<State>;
  /**
   * The caller has just brought the cache entry up to date (it read the stream to check something
   * first): skip the first read. Safe because the append still carries the expected revision; a
   * conflict reads again as usual.
   */
  readonly cacheIsFresh?: boolean;
  /**
   * The revision the caller last saw (an HTTP If-Match): when the stream has moved on since, the
   * command is refused with a ConcurrencyError instead of being decided against a state the caller
   * never saw, and it is not retried.
   */
  readonly expectedRevision?: StreamRevision;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 5 };

type DomainEventShape = { readonly type: string; readonly data: unknown };

const toDomain = <Event>(e: RecordedEvent): Event => ({ type: e.type, data: e.data }) as Event;

/**
 * The application loop: read the stream, look for the command's own events (a re-submission),
 * decide, append with the expected revision; on a conflict, back off and go again from the read.
 *
 * Re-submission is recognised by the events a command appended. A command that appended nothing
 * (refused, or nothing to change) leaves no trace, so re-submitting it is decided afresh against
 * the current state; deciders keep such commands harmless to repeat.
 */
export async function handleCommand<Command, Event extends DomainEventShape, State>(
  store: EventStore,
  decider: Decider<Command, Event, State>,
  streamId: string,
  envelope: CommandEnvelope<Command>,
  options: HandlingOptions<State> = {},
): Promise<CommandResult<Event, State>> {
  if (!isUuid(envelope.commandId)) throw new TypeError(`commandId must be a UUID, got ${JSON.stringify(envelope.commandId)}`);
  const retry = options.retry ?? DEFAULT_RETRY;
  const cache = options.cache;
  let firstId: string | undefined;

  for (let attempt = 1; ; attempt++) {
    const cached = cache?.get(streamId);
    const skipRead = attempt === 1 && options.cacheIsFresh === true && cached !== undefined;
    const history = skipRead ? [] : await store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : {});
    const head = history.length > 0 ? history[history.length - 1]!.revision : (cached?.revision ?? -1);

    // Derived lazily: most commands on a cached stream see no new events to search.
    if (history.length > 0) firstId ??= eventIdFor(envelope.commandId, 0);
    const already = history.length > 0 ? history.findIndex((e) => e.eventId === firstId) : -1;
    if (already >= 0) {
      const mine = new Set<string>();
      for (let i = 0; already + i < history.length && history[already + i]!.eventId === eventIdFor(envelope.commandId, i); i++) mine.add(history[already + i]!.eventId);
      const original = history.filter((e) => mine.has(e.eventId));
      const replayedState = history.reduce((s, e) => decider.evolve(s, toDomain<Event>(e)), cached?.state ?? decider.initialState());
      const last = original[original.length - 1]!;
      return { events: original.map(toDomain<Event>), state: replayedState, nextRevision: last.revision, position: last.position, replayed: true };
    }

    const state = history.reduce((s, e) => decider.evolve(s, toDomain<Event>(e)), cached?.state ?? decider.initialState());
    cache?.set(streamId, { revision: head, state });
    if (options.expectedRevision !== undefined && options.expectedRevision !== head) throw new ConcurrencyError(streamId, options.expectedRevision, head === -1 ? 'no-stream' : head);
    const events = decider.decide(envelope.command, state);
    if (events.length === 0) return { events, state, nextRevision: head, position: undefined, replayed: false };

    const proposed: NewEvent[] = events.map((e, i) => ({
      eventId: eventIdFor(envelope.commandId, i),
      type: e.type,
      data: e.data,
      metadata: {
        correlationId: envelope.correlationId ?? envelope.commandId,
        causationId: envelope.commandId,
        actor: envelope.actor,
        occurredAt: envelope.occurredAt,
        version: 1,
      },
    }));
    try {
      const result = await store.append(streamId, proposed, head === -1 ? 'no-stream' : head);
      const after = events.reduce(decider.evolve, state);
      cache?.set(streamId, { revision: result.nextRevision, state: after });
      return { events, state: after, nextRevision: result.nextRevision, position: result.position, replayed: false };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= retry.maxAttempts || options.expectedRevision !== undefined) throw error;
      // Full jitter: writers that collided once should not collide again in lock-step.
      const cap = retry.baseDelayMs * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, Math.random() * cap));
    }
  }
}
