import { expect } from 'chai';
import { join } from 'node:path';
import type { Clock } from '../../application/ports/clock.js';
import type { DocumentStore, StoredDocument } from '../../application/ports/document-store.js';
import type { EventStore, Position, RecordedEvent } from '../../application/ports/event-store.js';
import type { LogFields, Logger } from '../../application/ports/logger.js';
import { ProjectionRunner, type RunnerOptions } from '../../application/read-models/projection-runner.js';
import { deviceStreamId } from '../../domain/device/device.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { openSqliteDocumentStore, type SqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { projectionReads, type Projection } from '../../projections/projection.js';
import { deviceHistory, syntheticUdid } from '../../bench/support/synthetic-fleet.js';
import { tempDir } from '../support/temp-dir.js';

/** The synthetic fleet's histories start here; the queries' fixed clock is set relative to it. */
export const FLEET_START = new Date('2026-01-05T08:00:00Z');

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps what it is told, so a test can say which errors were (not) logged. */
export function recordingLogger(entries: LogEntry[] = []): Logger & { readonly entries: LogEntry[] } {
  const at = (level: LogEntry['level']) => (message: string, fields: LogFields = {}) => void entries.push({ level, message, fields });
  const logger = { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export const fixedClock = (iso: string): Clock => ({ now: () => new Date(iso) });

/** An event store and a read-model store, both SQLite files in a fresh temp dir. */
export class Stores {
  readonly dir = tempDir('mdm-readmodels-');
  readonly eventsFile = join(this.dir.path, 'events.db');
  readonly documentsFile = join(this.dir.path, 'readmodels.db');
  readonly events = new SqliteEventStore(this.eventsFile, { pollMs: 20 });
  readonly documents: SqliteDocumentStore = openSqliteDocumentStore(this.documentsFile);
  private readonly runners: ProjectionRunner[] = [];

  runner(projections: readonly Projection<object>[], options: Partial<RunnerOptions> = {}): ProjectionRunner {
    const runner = new ProjectionRunner(this.events, this.documents, projections, { clock: fixedClock('2026-03-01T00:00:00Z'), logger: recordingLogger(), watchMs: 50, ...options });
    this.runners.push(runner);
    return runner;
  }

  async head(): Promise<Position> {
    return lastPosition(this.events);
  }

  async close(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
    await this.documents.close();
    await this.events.close();
    this.dir.remove();
  }
}

/** Every event of the store, page by page, in position order. */
export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ ...(out.length > 0 ? { after: out[out.length - 1]!.position } : {}), maxCount: 1_000 });
    if (page.length === 0) return out;
    out.push(...page);
  }
}

export async function lastPosition(store: EventStore): Promise<Position> {
  const events = await allEvents(store);
  return events.length === 0 ? -1 : events[events.length - 1]!.position;
}

export interface FoldedDocument {
  readonly doc: JsonObject;
  /** Position of the last event applied to the document. */
  readonly position: Position;
}

/**
 * The reference: every event folded through the projection in memory, one at a time and exactly
 * once, each result stored as JSON (as a store gives it back). What a runner or a rebuild leaves in
 * a collection must equal this.
 */
export function referenceFold(projection: Projection<object>, events: readonly RecordedEvent[]): Map<string, FoldedDocument> {
  const documents = new Map<string, FoldedDocument>();
  for (const event of events) {
    if (!projectionReads(projection, event)) continue;
    const id = projection.documentId(event);
    if (id === undefined) continue;
    const next = projection.apply(documents.get(id)?.doc, event);
    if (next === null) documents.delete(id);
    else documents.set(id, { doc: JSON.parse(JSON.stringify(next)) as JsonObject, position: event.position });
  }
  return documents;
}

/** Every document of a physical collection, by id. */
export async function collectionContents(documents: DocumentStore, collection: string): Promise<Map<string, FoldedDocument>> {
  const out = new Map<string, FoldedDocument>();
  let cursor: string | undefined;
  do {
    const page = await documents.find(collection, { limit: 1_000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items as StoredDocument[]) out.set(item.id, { doc: item.doc, position: item.position });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** The live collection of a projection (as its checkpoint names it) equals the reference fold of every event. */
export async function expectEqualsFold(stores: { events: EventStore; documents: DocumentStore }, projection: Projection<object>): Promise<Map<string, FoldedDocument>> {
  const events = await allEvents(stores.events);
  const checkpoint = await stores.documents.readCheckpoint(projection.name);
  expect(checkpoint, `${projection.name} has a checkpoint`).to.not.equal(undefined);
  expect(checkpoint!.position, `${projection.name} checkpoint at the head`).to.equal(events[events.length - 1]!.position);
  const expected = referenceFold(projection, events);
  const actual = await collectionContents(stores.documents, checkpoint!.collection);
  expect([...actual.keys()].sort(), `${projection.name}: the same documents`).to.deep.equal([...expected.keys()].sort());
  for (const [id, want] of expected) expect(actual.get(id), `${projection.name}/${id}`).to.deep.equal(want);
  return expected;
}

/**
 * Appends synthetic device histories (devices `from` to `from + count - 1`) a few decisions at a
 * time per device, devices interleaved; returns the position of the last append.
 */
export async function appendDevices(store: EventStore, from: number, count: number, eventsPerDevice: number, options: { pauseMs?: number; seed?: number } = {}): Promise<Position> {
  const histories = Array.from({ length: count }, (_, i) => deviceHistory(from + i, { events: eventsPerDevice, start: FLEET_START, seed: options.seed ?? 7 }));
  const revisions = new Array<number>(count).fill(-1);
  const cursors = new Array<number>(count).fill(0);
  let last: Position = -1;
  for (;;) {
    let progressed = false;
    for (let i = 0; i < count; i++) {
      const history = histories[i]!;
      if (cursors[i]! >= history.length) continue;
      const take = history.slice(cursors[i]!, cursors[i]! + 3).flat();
      cursors[i]! += 3;
      const result = await store.append(deviceStreamId(syntheticUdid(from + i)), take, revisions[i]! < 0 ? 'no-stream' : revisions[i]!);
      revisions[i] = result.nextRevision;
      last = result.position;
      progressed = true;
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
    if (!progressed) return last;
  }
}

/**
 * Carries on the histories writeSyntheticFleet wrote (same seed and start): a longer history of a
 * device begins with the shorter one, so what lies beyond it is that device's next events.
 */
export async function continueDevices(store: EventStore, from: number, count: number, writtenPerDevice: number, eventsPerDevice: number): Promise<Position> {
  let last: Position = -1;
  for (let i = from; i < from + count; i++) {
    const done = deviceHistory(i, { events: writtenPerDevice, start: FLEET_START }).length;
    const stream = deviceStreamId(syntheticUdid(i));
    let revision = (await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))[0]!.revision;
    for (const decision of deviceHistory(i, { events: eventsPerDevice, start: FLEET_START }).slice(done)) {
      const result = await store.append(stream, decision, revision);
      revision = result.nextRevision;
      last = result.position;
    }
  }
  return last;
}
