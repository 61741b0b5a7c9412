import type { RecordedEvent } from '../application/ports/event-store.js';

/**
 * What every read model implements: a pure function from (current document, event) to the next
 * document. Projections never read the clock (times come from the events) and never touch a
 * database: a runner in infrastructure feeds them events in position order and stores the results.
 */
export interface Projection<Doc> {
  /** Collection name; bumping `version` makes a rebuild into a fresh collection. */
  readonly name: string;
  readonly version: number;
  /** Event types this projection reads; others are skipped without being applied. */
  readonly handles: ReadonlySet<string>;
  /** Which document an event changes (e.g. the device's UDID), or undefined to ignore it. */
  documentId(event: RecordedEvent): string | undefined;
  /** The next document, or null to delete it. */
  apply(current: Doc | undefined, event: RecordedEvent): Doc | null;
}
