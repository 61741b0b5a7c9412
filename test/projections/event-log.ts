import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Actor, EventMetadata, RecordedEvent } from '../../application/ports/event-store.js';
import { canonicalResult, parseCommandResult } from '../../domain/commands/index.js';
import type { CertificateNotAfter } from '../../domain/commands/results/certificate-list.js';
import { deviceDecider, deviceStreamId, type DeviceCommand, type DeviceState } from '../../domain/device/device.js';
import type { CommandResultInput } from '../../domain/device/queue/commands.js';
import type { ResultKind } from '../../domain/device/queue/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { projectionReads, type Projection } from '../../projections/projection.js';

const START = Date.UTC(2026, 10, 1, 9, 0, 0);

/** An ISO time `minutes` after the tests' epoch. */
export const t = (minutes: number): string => new Date(START + minutes * 60_000).toISOString();

/**
 * Events as a store records them, in position order across streams. Device streams are written by
 * the real device decider, so sequences are the ones the server produces.
 */
export class EventLog {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();
  private readonly devices = new Map<string, DeviceState>();

  append(streamId: string, type: string, data: unknown, metadata: Partial<EventMetadata> = {}): RecordedEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const position = this.events.length + 1;
    const occurred = metadata.occurredAt ?? t(position);
    const event: RecordedEvent = {
      streamId, revision, position, type, data,
      eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      metadata: { occurredAt: occurred, version: 1, ...metadata, prevHash: '0'.repeat(64), hash: String(position).padStart(64, '0') },
      recordedAt: occurred,
    };
    this.events.push(event);
    return event;
  }

  /** Decides a device command against the stream so far and records what it decided. */
  device(command: DeviceCommand, actor: Actor = { kind: 'device', id: command.udid }): RecordedEvent[] {
    const stream = deviceStreamId(command.udid);
    let state = this.devices.get(stream) ?? deviceDecider.initialState();
    const recorded = deviceDecider.decide(command, state).map((e) => {
      state = deviceDecider.evolve(state, e);
      return this.append(stream, e.type, e.data, { occurredAt: command.at, actor, causationId: `cause-${this.events.length}`, correlationId: 'corr-1' });
    });
    this.devices.set(stream, state);
    return recorded;
  }

  state(udid: string): DeviceState {
    return this.devices.get(deviceStreamId(udid)) ?? deviceDecider.initialState();
  }
}

/** A query's typed result from a raw report, as the server's QueryResults makes it. */
export function queryResult(requestType: ResultKind, report: JsonObject, certificateNotAfter?: CertificateNotAfter): CommandResultInput {
  const result = parseCommandResult(requestType, report, certificateNotAfter ? { certificateNotAfter } : {});
  if (!result) throw new Error(`no ${requestType} result in the report`);
  const fingerprint = createHash('sha256').update(canonicalResult(result, { excludeVolatile: true })).digest('hex');
  return { kind: requestType, result: result as unknown as JsonObject, fingerprint };
}

/**
 * What the runner does: feeds each event the projection reads to the document it names, storing
 * each result as JSON (so a document is always read back as the store would give it). `from`
 * continues from documents already stored.
 */
export function fold<Doc extends object>(projection: Projection<Doc>, events: readonly RecordedEvent[], from: ReadonlyMap<string, Doc> = new Map()): Map<string, Doc> {
  const documents = new Map(from);
  for (const event of events) {
    if (!projectionReads(projection, event)) continue;
    const id = projection.documentId(event);
    if (id === undefined) continue;
    const next = projection.apply(documents.get(id), event);
    if (next === null) documents.delete(id);
    else documents.set(id, JSON.parse(JSON.stringify(next)) as Doc);
  }
  return documents;
}

/** A document as the stores keep it: JSON with no undefined-valued key and no null anywhere. */
export function expectPlainJson(value: unknown, path = '$'): void {
  expect(value, path).to.not.equal(null);
  expect(value, path).to.not.equal(undefined);
  if (typeof value === 'number') expect(Number.isFinite(value), path).to.equal(true);
  if (Array.isArray(value)) value.forEach((v, i) => expectPlainJson(v, `${path}[${i}]`));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value as object)) expectPlainJson(v, `${path}.${k}`);
  else expect(['string', 'number', 'boolean'], path).to.include(typeof value);
}

/**
 * Runs `run` while `new Date()` and `Date.now()` answer `fakeMs`: a projection that reads the clock
 * gives different documents under two fake clocks.
 */
export function underClock<T>(fakeMs: number, run: () => T): T {
  const RealDate = Date;
  class FakeDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(fakeMs);
      else super(...(args as [string]));
    }
    static override now(): number {
      return fakeMs;
    }
  }
  globalThis.Date = FakeDate as DateConstructor;
  try {
    return run();
  } finally {
    globalThis.Date = RealDate;
  }
}
