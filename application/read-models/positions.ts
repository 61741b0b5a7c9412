import type { Position } from '../ports/event-store.js';

/**
 * The checkpoint of a read model that has applied nothing yet. The event stores never put an event
 * at 0 (SQLite numbers them from 1; EventStoreDB's log begins with its own records) and the
 * read-model stores take positions from 0 only, so 0 means "before every event": reading after it
 * reads everything.
 */
export const BEFORE_FIRST_EVENT: Position = 0;
