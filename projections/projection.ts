import type { IndexDeclaration } from '../application/ports/document-store.js';
import type { RecordedEvent } from '../application/ports/event-store.js';

/**
 * What every read model implements: a pure function from (current document, event) to the next
 * document. Projections never read the clock (times come from the events) and never touch a
 * database: the runner in application/read-models feeds them events in position order, folds a
 * batch into one write per document, and stores the results with its checkpoint.
 *
 * Documents are JSON (no undefined-valued keys written on purpose, no nulls: omit the field).
 */
export interface Projection<Doc extends object> {
  /** Read-model name; bumping `version` makes a rebuild into a fresh collection. */
  readonly name: string;
  readonly version: number;
  /** Event types this projection reads; others are skipped without being applied. */
  readonly handles: ReadonlySet<string>;
  /**
   * Every event is applied, `handles` or not (the audit trail must not lose an event type added
   * after the projection was written). `handles` still lists the types known today.
   */
  readonly allEvents?: boolean;
  /**
   * Every event it reads makes a new document and none is ever changed again (an audit trail):
   * the runner then neither reads nor caches documents for it.
   */
  readonly insertOnly?: boolean;
  /** Indexes the queries over this read model rely on. */
  readonly indexes?: readonly IndexDeclaration[];
  /** Which document an event changes (e.g. the device's UDID), or undefined to ignore it. */
  documentId(event: RecordedEvent): string | undefined;
  /** The next document, or null to delete it. Throwing marks the event poison for this projection. */
  apply(current: Doc | undefined, event: RecordedEvent): Doc | null;
}

/** When an event happened: the time the application stated, else the time the store committed it. */
export const eventTime = (event: RecordedEvent): string => (typeof event.metadata.occurredAt === 'string' ? event.metadata.occurredAt : event.recordedAt);

/** Whether the runner feeds `event` to `projection`. */
export const projectionReads = (projection: Pick<Projection<object>, 'handles' | 'allEvents'>, event: Pick<RecordedEvent, 'type'>): boolean =>
  projection.allEvents === true || projection.handles.has(event.type);
