/**
 * The event store port. Every adapter (embedded SQLite, EventStoreDB) implements exactly this and
 * passes the one contract suite in test/eventstore/contract.ts.
 *
 * Revisions and positions are plain numbers here: the EventStoreDB client's bigints are converted
 * at that adapter's edge. A stream revision is the 0-based index of an event in its stream; a
 * position orders every event of the store and only grows.
 */

export type StreamRevision = number;
export type Position = number;

/** What the caller believes about the stream before appending. */
export type ExpectedRevision = StreamRevision | 'no-stream' | 'exists' | 'any';

export type ActorKind = 'admin' | 'operator' | 'auditor' | 'user' | 'device' | 'gateway' | 'system';

export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
}

/** Metadata written with every event. Adapters add `prevHash` and `hash` (tamper evidence). */
export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: Actor;
  /** ISO-8601 time the fact happened, as stated by the application (never read by the domain). */
  readonly occurredAt?: string;
  /** Schema version of `data`, for upcasting when an event type evolves. */
  readonly version?: number;
  readonly [key: string]: unknown;
}

/** An event as proposed for appending. `eventId` is a UUID and doubles as the idempotency key. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly eventId: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata?: EventMetadata;
}

export interface StoredMetadata extends EventMetadata {
  /** `hash` of the previous event in the same stream; 64 zeros for a stream's first event. */
  readonly prevHash: string;
  /** SHA-256 (hex) over this event's stored bytes chained to `prevHash`. */
  readonly hash: string;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly streamId: string;
  readonly revision: StreamRevision;
  readonly position: Position;
  readonly eventId: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: StoredMetadata;
  /** ISO-8601 time the store committed the event. */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (-1: the stream still does not exist). */
  readonly nextRevision: StreamRevision;
  /** Position of the last event appended; for an empty append, the stream head's (0 when none). */
  readonly position: Position;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: StreamRevision;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: only events with a greater position. Omit to read from the beginning. */
  readonly after?: Position;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive: delivery starts with the first event after this position. Omit for the beginning. */
  readonly after?: Position;
  /** Called when the subscription gives up for good (not for a drop it recovers from). */
  readonly onError?: (error: Error) => void;
}

/**
 * A live subscription to all (non-system) events. The handler is awaited: events are delivered one
 * at a time and in position order, so a slow handler applies back-pressure rather than losing events.
 */
export interface Subscription {
  /** Position of the last event handed to the handler and completed, if any. */
  readonly lastPosition: Position | undefined;
  /** Resolves once catch-up has delivered every event that existed when the subscription started. */
  readonly caughtUp: Promise<void>;
  close(): Promise<void>;
}

export type EventHandler = (event: RecordedEvent) => Promise<void> | void;

export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of every stream in position order, system events excluded. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Resolves when the store answers; rejects with the reason otherwise. Used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol.for('mdm.EventStore');

/** Largest total of data and metadata bytes one append may carry, on every adapter. */
export const MAX_APPEND_BYTES = 1_000_000;

/** The stream's actual revision did not match the caller's expectation. Same type on every adapter. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision, or 'no-stream'; undefined when the adapter cannot tell. */
    readonly actual: StreamRevision | 'no-stream' | undefined,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual === undefined ? 'unknown' : String(actual)}`);
  }
}

/** An append larger than MAX_APPEND_BYTES (or than the server accepts). Same type on every adapter. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  constructor(readonly streamId: string, readonly bytes: number, readonly limit: number) {
    super(`append to ${streamId} is ${bytes} bytes; the limit is ${limit}`);
  }
}

/** A stream id, event id or type the store cannot hold (empty, too long, not a UUID). */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** The store did not answer within the adapter's deadline, or refused the connection. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
