import type { RecordedEvent } from '../application/ports/event-store.js';
import { commandRecordProjection, type CommandRecord } from './command-record.js';

export type { CommandOutcome } from './command-record.js';

/** One command's life on one device, as admins and auditors read it. */
export type CommandHistoryEntry = Omit<CommandRecord, 'udid'>;

/**
 * A device's command history from its stream, oldest first: the command-history read model folded
 * in memory. Pure: times come from the events, so the same stream always gives the same history.
 */
export function commandHistory(events: readonly RecordedEvent[]): CommandHistoryEntry[] {
  const records = new Map<string, CommandRecord>();
  for (const event of events) {
    if (!commandRecordProjection.handles.has(event.type)) continue;
    const id = commandRecordProjection.documentId(event);
    if (id === undefined) continue;
    const next = commandRecordProjection.apply(records.get(id), event);
    if (next === null) records.delete(id);
    else records.set(id, next);
  }
  return [...records.values()].map(({ udid: _udid, ...entry }) => entry);
}
