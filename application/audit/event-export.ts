import type { EventStore, Position, RecordedEvent, StreamRevision } from '../ports/event-store.js';

export interface ExportFilter {
  /** Only this stream. */
  readonly streamId?: string;
  /** Only these event types (any of them). */
  readonly types?: readonly string[];
  /** Only events the store recorded at or after this time. */
  readonly since?: Date;
  /** Only events the store recorded before this time. */
  readonly until?: Date;
}

/** One line of an export: the event as stored (sealed values stay sealed). */
export interface ExportedEvent {
  readonly position: Position;
  readonly streamId: string;
  readonly revision: StreamRevision;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: RecordedEvent['metadata'];
  readonly recordedAt: string;
}

export interface ExportProgress {
  readonly read: number;
  readonly exported: number;
  readonly position: Position;
}

export interface ExportOptions {
  readonly pageSize?: number;
  readonly onProgress?: (progress: ExportProgress) => void;
}

/**
 * The events matching `filter`, in position order (revision order for one stream), read in pages.
 * Nothing is opened or transformed: an export shows exactly what the store holds, hash chain included.
 */
export async function* exportEvents(store: EventStore, filter: ExportFilter, options: ExportOptions = {}): AsyncGenerator<ExportedEvent> {
  const pageSize = options.pageSize ?? 1_000;
  const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : undefined;
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  const matches = (e: RecordedEvent) => {
    if (types && !types.has(e.type)) return false;
    const at = Date.parse(e.recordedAt);
    return (since === undefined || at >= since) && (until === undefined || at < until);
  };
  let read = 0;
  let exported = 0;
  let after: Position | undefined;
  let fromRevision: StreamRevision = 0;
  for (;;) {
    const page = filter.streamId !== undefined
      ? await store.readStream(filter.streamId, { fromRevision, maxCount: pageSize })
      : await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: pageSize });
    for (const e of page) {
      read++;
      if (!matches(e)) continue;
      exported++;
      yield { position: e.position, streamId: e.streamId, revision: e.revision, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt };
    }
    const last = page[page.length - 1];
    if (last) {
      after = last.position;
      fromRevision = last.revision + 1;
      options.onProgress?.({ read, exported, position: last.position });
    }
    if (page.length < pageSize) return;
  }
}
