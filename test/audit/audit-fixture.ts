import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { encodeEvent } from '../../application/event-integrity.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';

export const eventsFile = (dir: string) => join(dir, 'events.db');

/** Appends `count` events to `streamId` through the store port, one append each. */
export async function appendNotes(store: EventStore, streamId: string, count: number, type = 'NoteWritten'): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.append(streamId, [{ eventId: randomUUID(), type, data: { stream: streamId, n: i, text: `note ${i} of ${streamId}` }, metadata: { actor: { kind: 'admin', id: 'alice' }, occurredAt: new Date().toISOString() } }], 'any');
  }
}

export async function withSqliteStore<T>(dir: string, run: (store: SqliteEventStore) => Promise<T>): Promise<T> {
  const store = new SqliteEventStore(eventsFile(dir));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Direct access to the SQLite file, as someone rewriting it behind the server's back would have. */
export function tamper(dir: string, sql: string, ...params: unknown[]): number {
  const db = new Database(eventsFile(dir));
  try {
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}

/**
 * Rewrites a stream from `fromRevision` on with new data and recomputed hashes, so the stream's
 * own chain verifies again: only a checkpoint can tell.
 */
export async function rewriteWithValidChain(dir: string, streamId: string, fromRevision: number, newData: (event: RecordedEvent) => unknown): Promise<void> {
  const events = await withSqliteStore(dir, (store) => store.readStream(streamId));
  const db = new Database(eventsFile(dir));
  try {
    let prevHash = fromRevision === 0 ? '0'.repeat(64) : events[fromRevision - 1]!.metadata.hash;
    const update = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE stream_id = ? AND revision = ?');
    for (const event of events.slice(fromRevision)) {
      const { prevHash: _p, hash: _h, ...metadata } = event.metadata;
      const encoded = encodeEvent(streamId, event.revision, { eventId: event.eventId, type: event.type, data: newData(event), metadata }, prevHash);
      update.run(encoded.dataJson, encoded.metadataJson, streamId, event.revision);
      prevHash = encoded.hash;
    }
    db.prepare('UPDATE streams SET hash = ? WHERE stream_id = ?').run(prevHash, streamId);
  } finally {
    db.close();
  }
}
