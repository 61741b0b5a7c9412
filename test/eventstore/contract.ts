import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  EventTooLargeError,
  MAX_APPEND_BYTES,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../application/ports/event-store.js';
import { GENESIS_HASH, verifyStreamChain } from '../../application/event-integrity.js';

/**
 * One behaviour suite for every EventStore adapter. Each leg supplies a factory; the suite never
 * looks behind the port, except through the optional hooks a leg can offer.
 */
export interface EventStoreLeg {
  store: EventStore;
  /** Ends every live subscription's connection from the server side, as a network drop would. */
  dropSubscriptions?: () => Promise<void>;
  /** A second, independent client on the same data (another process, another connection). */
  openSecondClient?: () => Promise<EventStore>;
  dispose(): Promise<void>;
}

export type LegFactory = () => Promise<EventStoreLeg>;

const ev = (type: string, data: unknown, metadata?: NewEvent['metadata']): NewEvent => ({ eventId: randomUUID(), type, data, ...(metadata ? { metadata } : {}) });

/** Unique stream names so legs against a shared real server never collide between runs. */
const stream = (prefix = 'test') => `${prefix}-${randomUUID()}`;

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ContractOptions {
  /** Why this leg cannot run here (e.g. no server URL); the whole suite then reports itself skipped. */
  skipReason?: () => string | undefined;
  /** The leg's store runs over a connection that a server can drop (its factory offers dropSubscriptions). */
  hasConnection?: boolean;
}

export function eventStoreContract(name: string, factory: LegFactory, options: ContractOptions = {}): void {
  describe(`EventStore contract: ${name}`, function () {
    this.timeout(20_000);
    let leg: EventStoreLeg;
    let store: EventStore;

    before(function () {
      const reason = options.skipReason?.();
      if (reason) {
        console.log(`      (skipped: ${reason})`);
        this.skip();
      }
    });
    beforeEach(async () => {
      leg = await factory();
      store = leg.store;
    });
    afterEach(async () => {
      await leg?.dispose();
    });

    describe('append and expected revision', () => {
      it('no-stream appends to a new stream and refuses an existing one', async () => {
        const s = stream();
        const r = await store.append(s, [ev('A', { n: 1 })], 'no-stream');
        expect(r.nextRevision).to.equal(0);
        const err = await store.append(s, [ev('A', { n: 2 })], 'no-stream').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ConcurrencyError);
        expect((err as ConcurrencyError).streamId).to.equal(s);
        expect(await store.readStream(s)).to.have.length(1);
      });

      it('exists refuses a missing stream and accepts an existing one', async () => {
        const s = stream();
        const err = await store.append(s, [ev('A', {})], 'exists').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(ConcurrencyError);
        expect(await store.readStream(s)).to.deep.equal([]);
        await store.append(s, [ev('A', {})], 'no-stream');
        const r = await store.append(s, [ev('B', {})], 'exists');
        expect(r.nextRevision).to.equal(1);
      });

      it('an exact revision must match the stream head', async () => {
        const s = stream();
        await store.append(s, [ev('A', {}), ev('B', {})], 'no-stream');
        const stale = await store.append(s, [ev('C', {})], 0).catch((e: unknown) => e);
        expect(stale).to.be.instanceOf(ConcurrencyError);
        expect((stale as ConcurrencyError).actual).to.be.oneOf([1, undefined]);
        const ahead = await store.append(s, [ev('C', {})], 5).catch((e: unknown) => e);
        expect(ahead).to.be.instanceOf(ConcurrencyError);
        const r = await store.append(s, [ev('C', {})], 1);
        expect(r.nextRevision).to.equal(2);
        const missing = await store.append(stream(), [ev('C', {})], 0).catch((e: unknown) => e);
        expect(missing).to.be.instanceOf(ConcurrencyError);
      });

      it('any appends whatever the stream state', async () => {
        const s = stream();
        expect((await store.append(s, [ev('A', {})], 'any')).nextRevision).to.equal(0);
        expect((await store.append(s, [ev('B', {}), ev('C', {})], 'any')).nextRevision).to.equal(2);
        expect((await store.readStream(s)).map((e) => e.type)).to.deep.equal(['A', 'B', 'C']);
      });

      it('two writers racing on one stream: exactly one wins, the other gets ConcurrencyError', async () => {
        const s = stream();
        await store.append(s, [ev('Start', {})], 'no-stream');
        const second = leg.openSecondClient ? await leg.openSecondClient() : store;
        try {
          for (let round = 0; round < 5; round++) {
            const head = (await store.readStream(s, { direction: 'backwards', maxCount: 1 }))[0]!.revision;
            const results = await Promise.allSettled([
              store.append(s, [ev('W1', { round })], head),
              second.append(s, [ev('W2', { round })], head),
            ]);
            const won = results.filter((r) => r.status === 'fulfilled');
            const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
            expect(won, `round ${round}`).to.have.length(1);
            expect(lost).to.have.length(1);
            expect(lost[0]!.reason).to.be.instanceOf(ConcurrencyError);
          }
          const events = await store.readStream(s);
          expect(events).to.have.length(6);
          expect(verifyStreamChain(events)).to.equal(undefined);
        } finally {
          if (second !== store) await second.close();
        }
      });

      it('an empty append changes nothing', async () => {
        const s = stream();
        const first = await store.append(s, [ev('A', {})], 'no-stream');
        await store.append(stream(), [ev('Other', {})], 'no-stream');
        const empty = await store.append(s, [], 0);
        expect(empty).to.deep.equal({ nextRevision: 0, position: first.position });
        expect(await store.readStream(s)).to.have.length(1);
        expect(await store.append(stream(), [], 'any')).to.deep.equal({ nextRevision: -1, position: 0 });
      });
    });

    describe('reading', () => {
      it('reads a stream forwards and backwards, from a revision, with a maximum count', async () => {
        const s = stream();
        await store.append(s, [0, 1, 2, 3, 4].map((n) => ev('N', { n })), 'no-stream');
        const fwd = await store.readStream(s);
        expect(fwd.map((e) => e.revision)).to.deep.equal([0, 1, 2, 3, 4]);
        expect(fwd.map((e) => (e.data as { n: number }).n)).to.deep.equal([0, 1, 2, 3, 4]);
        expect((await store.readStream(s, { fromRevision: 2, maxCount: 2 })).map((e) => e.revision)).to.deep.equal([2, 3]);
        expect((await store.readStream(s, { direction: 'backwards' })).map((e) => e.revision)).to.deep.equal([4, 3, 2, 1, 0]);
        expect((await store.readStream(s, { direction: 'backwards', fromRevision: 3, maxCount: 2 })).map((e) => e.revision)).to.deep.equal([3, 2]);
        expect(await store.readStream(stream())).to.deep.equal([]);
      });

      it('orders events across streams by a growing position, and readAll pages after a position', async () => {
        const a = stream('a');
        const b = stream('b');
        const anchor = await store.append(stream('anchor'), [ev('Anchor', {})], 'no-stream');
        await store.append(a, [ev('A1', {})], 'no-stream');
        await store.append(b, [ev('B1', {}), ev('B2', {})], 'no-stream');
        await store.append(a, [ev('A2', {})], 0);
        const page = await store.readAll({ after: anchor.position, maxCount: 100_000 });
        const mine = page.filter((e) => e.streamId === a || e.streamId === b);
        expect(mine.map((e) => e.type)).to.deep.equal(['A1', 'B1', 'B2', 'A2']);
        const positions = mine.map((e) => e.position);
        expect([...positions].sort((x, y) => x - y)).to.deep.equal(positions);
        expect(new Set(positions).size).to.equal(4);
        // `after` is exclusive, and maxCount bounds the page.
        const next = await store.readAll({ after: mine[0]!.position, maxCount: 2 });
        expect(next).to.have.length(2);
        expect(next[0]!.position).to.be.greaterThan(mine[0]!.position);
        expect(next.map((e) => e.eventId)).to.deep.equal(mine.slice(1, 3).map((e) => e.eventId));
      });

      it('positions and revisions are safe numbers, not bigints or strings', async () => {
        const s = stream();
        const r = await store.append(s, [ev('A', {})], 'no-stream');
        const [e] = await store.readStream(s);
        for (const v of [r.position, r.nextRevision, e!.position, e!.revision]) {
          expect(v).to.be.a('number');
          expect(Number.isSafeInteger(v)).to.equal(true);
        }
        expect(e!.position).to.equal(r.position);
      });
    });

    describe('event content', () => {
      it('round-trips event id, type, data and metadata (correlation, causation, actor)', async () => {
        const s = stream();
        const id = randomUUID();
        const metadata = { correlationId: randomUUID(), causationId: randomUUID(), actor: { kind: 'admin' as const, id: 'alice' }, occurredAt: '2026-01-02T03:04:05.000Z', version: 2, custom: { nested: [1, 'two', null] } };
        await store.append(s, [{ eventId: id, type: 'Thing', data: { a: 1, b: [true, null], c: 'x' }, metadata }], 'no-stream');
        const [e] = await store.readStream(s);
        expect(e!.eventId).to.equal(id);
        expect(e!.streamId).to.equal(s);
        expect(e!.type).to.equal('Thing');
        expect(e!.data).to.deep.equal({ a: 1, b: [true, null], c: 'x' });
        expect(e!.metadata).to.include({ correlationId: metadata.correlationId, causationId: metadata.causationId, occurredAt: metadata.occurredAt, version: 2 });
        expect(e!.metadata.actor).to.deep.equal({ kind: 'admin', id: 'alice' });
        expect(e!.metadata['custom']).to.deep.equal({ nested: [1, 'two', null] });
        // The names EventStoreDB's system projections read.
        expect(e!.metadata['$correlationId']).to.equal(metadata.correlationId);
        expect(e!.metadata['$causationId']).to.equal(metadata.causationId);
        expect(Number.isNaN(Date.parse(e!.recordedAt))).to.equal(false);
      });

      it('round-trips unicode data byte for byte', async () => {
        const s = stream();
        const text = 'Gerät «Ünïcødé» 設備 📱 \u0000 \u2028 \ud83c\udff3\ufe0f\u200d\ud83c\udf08 \\ "quoted"';
        await store.append(s, [ev('Unicode', { text, 'ключ': 'значение' }, { note: 'métadonnée ✓' })], 'no-stream');
        const [e] = await store.readStream(s);
        expect(e!.data).to.deep.equal({ text, 'ключ': 'значение' });
        expect(e!.metadata['note']).to.equal('métadonnée ✓');
      });

      it('a 900 KiB event round-trips', async () => {
        const s = stream();
        const blob = 'x'.repeat(900 * 1024);
        await store.append(s, [ev('Big', { blob })], 'no-stream');
        const [e] = await store.readStream(s);
        expect((e!.data as { blob: string }).blob).to.have.length(900 * 1024);
      });

      it('draws the size line at the same stored bytes on every adapter', async () => {
        const s = stream();
        // Data just under the limit passes; the same plus the chain's metadata overhead would not.
        await store.append(s, [ev('NearLimit', { blob: 'n'.repeat(MAX_APPEND_BYTES - 1_000) })], 'no-stream');
        const over = await store.append(s, [ev('JustOver', { blob: 'o'.repeat(MAX_APPEND_BYTES - 100) })], 'any').catch((e: unknown) => e);
        expect(over).to.be.instanceOf(EventTooLargeError);
        expect((over as EventTooLargeError).limit).to.equal(MAX_APPEND_BYTES);
        expect(await store.readStream(s)).to.have.length(1);
      });

      it('an oversized append raises EventTooLargeError and appends nothing', async () => {
        const s = stream();
        const err = await store.append(s, [ev('Huge', { blob: 'y'.repeat(1536 * 1024) })], 'any').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(EventTooLargeError);
        const many = await store.append(s, Array.from({ length: 3 }, () => ev('Part', { blob: 'z'.repeat(400 * 1024) })), 'any').catch((e: unknown) => e);
        expect(many, 'the limit is per append, not per event').to.be.instanceOf(EventTooLargeError);
        expect(await store.readStream(s)).to.deep.equal([]);
      });
    });

    describe('tamper evidence', () => {
      it('chains every event of a stream by prevHash and hash', async () => {
        const s = stream();
        await store.append(s, [ev('A', { n: 1 }), ev('B', { n: 2 })], 'no-stream');
        await store.append(s, [ev('C', { n: 3 })], 'any');
        const events = await store.readStream(s);
        expect(events[0]!.metadata.prevHash).to.equal(GENESIS_HASH);
        expect(events[1]!.metadata.prevHash).to.equal(events[0]!.metadata.hash);
        expect(events[2]!.metadata.prevHash).to.equal(events[1]!.metadata.hash);
        for (const e of events) expect(e.metadata.hash).to.match(/^[0-9a-f]{64}$/);
        expect(verifyStreamChain(events)).to.equal(undefined);
      });

      it('detects an altered event', async () => {
        const s = stream();
        await store.append(s, [ev('A', { amount: 1 }), ev('B', { amount: 2 })], 'no-stream');
        const events = await store.readStream(s);
        const forged: RecordedEvent[] = [events[0]!, { ...events[1]!, data: { amount: 3 } }];
        expect(verifyStreamChain(forged)).to.deep.include({ kind: 'hash-mismatch', revision: 1 });
        expect(verifyStreamChain([events[1]!])).to.not.equal(undefined);
      });
    });

    describe('subscriptions', () => {
      it('catches up from the beginning or after a position, then follows live appends', async () => {
        const s = stream('sub');
        await store.append(s, [ev('E', { n: 0 })], 'no-stream');
        const first = await store.readStream(s);
        await store.append(s, [ev('E', { n: 1 })], 0);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeToAll((e) => { if (e.streamId === s) seen.push(e); }, { after: first[0]!.position });
        try {
          await sub.caughtUp;
          await waitFor(() => seen.length >= 1, 5_000, 'catch-up');
          expect(seen.map((e) => (e.data as { n: number }).n)).to.deep.equal([1]);
          await store.append(s, [ev('E', { n: 2 })], 'any');
          await store.append(s, [ev('E', { n: 3 }), ev('E', { n: 4 })], 'any');
          await waitFor(() => seen.length >= 4, 5_000, 'live events');
          expect(seen.map((e) => (e.data as { n: number }).n)).to.deep.equal([1, 2, 3, 4]);
          expect(sub.lastPosition).to.equal(seen[3]!.position);
        } finally {
          await sub.close();
        }
        const all: string[] = [];
        const fromStart = store.subscribeToAll((e) => { if (e.streamId === s) all.push(e.eventId); });
        try {
          await waitFor(() => all.length >= 5, 10_000, 'catch-up from the beginning');
        } finally {
          await fromStart.close();
        }
      });

      it('delivers in position order and awaits the handler', async () => {
        const s = stream('order');
        const base = await store.append(s, [ev('E', { n: 0 })], 'no-stream');
        const positions: number[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        const sub = store.subscribeToAll(async (e) => {
          if (e.streamId !== s) return;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 2));
          positions.push(e.position);
          inFlight--;
        }, { after: base.position });
        try {
          for (let i = 1; i <= 20; i++) await store.append(s, [ev('E', { n: i })], 'any');
          await waitFor(() => positions.length >= 20, 10_000, '20 events');
          expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
          expect(maxInFlight).to.equal(1);
        } finally {
          await sub.close();
        }
      });

      // An embedded store has no connection to drop; its transient read failures are covered by its own tests.
      if (options.hasConnection) it('resumes from the last delivered position after the connection drops', async function () {
        if (!leg.dropSubscriptions) throw new Error('a leg with a connection must offer dropSubscriptions');
        const s = stream('resume');
        const base = await store.append(s, [ev('E', { n: 0 })], 'no-stream');
        const seen: number[] = [];
        const sub = store.subscribeToAll((e) => { if (e.streamId === s) seen.push((e.data as { n: number }).n); }, { after: base.position });
        try {
          await sub.caughtUp;
          await store.append(s, [ev('E', { n: 1 })], 'any');
          await waitFor(() => seen.length >= 1, 5_000, 'first live event');
          await leg.dropSubscriptions!();
          await store.append(s, [ev('E', { n: 2 }), ev('E', { n: 3 })], 'any');
          await waitFor(() => seen.length >= 3, 10_000, 'events after the drop');
          await new Promise((r) => setTimeout(r, 200));
          expect(seen, 'nothing lost, nothing repeated').to.deep.equal([1, 2, 3]);
        } finally {
          await sub.close();
        }
      });

      it('sees events appended by another client on the same store', async function () {
        if (!leg.openSecondClient) throw new Error('every leg must offer a second client on the same store');
        const other = await leg.openSecondClient!();
        const s = stream('cross');
        const seen: string[] = [];
        const base = await store.append(stream('anchor'), [ev('Anchor', {})], 'no-stream');
        const sub = store.subscribeToAll((e) => { if (e.streamId === s) seen.push(e.type); }, { after: base.position });
        try {
          await sub.caughtUp;
          const started = Date.now();
          await other.append(s, [ev('FromOther', {})], 'no-stream');
          await waitFor(() => seen.length >= 1, 1_000, 'an event from the other client within a second');
          expect(Date.now() - started).to.be.lessThan(1_000);
        } finally {
          await sub.close();
          await other.close();
        }
      });

      it('a failing handler ends the subscription: onError once, nothing delivered after it', async () => {
        const s = stream('poison');
        const base = await store.append(stream('anchor'), [ev('Anchor', {})], 'no-stream');
        await store.append(s, [ev('E', { n: 1 }), ev('E', { n: 2 }), ev('E', { n: 3 })], 'no-stream');
        const seen: number[] = [];
        const errors: Error[] = [];
        const sub = store.subscribeToAll((e) => {
          if (e.streamId !== s) return;
          const n = (e.data as { n: number }).n;
          if (n === 2) throw new Error('poison event');
          seen.push(n);
        }, { after: base.position, onError: (e) => errors.push(e) });
        try {
          await waitFor(() => errors.length > 0, 5_000, 'onError');
          await new Promise((r) => setTimeout(r, 200));
          expect(seen).to.deep.equal([1]);
          expect(errors.map((e) => e.message)).to.deep.equal(['poison event']);
        } finally {
          await sub.close();
        }
      });

      it('closing the store ends live subscriptions through onError', async () => {
        const errors: Error[] = [];
        const sub = store.subscribeToAll(() => undefined, { onError: (e) => errors.push(e) });
        await sub.caughtUp;
        await store.close();
        await waitFor(() => errors.length > 0, 5_000, 'onError after close');
        expect(errors).to.have.length(1);
        await sub.close();
      });

      it('close stops delivery', async () => {
        const s = stream('close');
        const base = await store.append(s, [ev('E', {})], 'no-stream');
        const seen: string[] = [];
        const sub = store.subscribeToAll((e) => { if (e.streamId === s) seen.push(e.eventId); }, { after: base.position });
        await sub.caughtUp;
        await sub.close();
        await store.append(s, [ev('E', {})], 'any');
        await new Promise((r) => setTimeout(r, 300));
        expect(seen).to.deep.equal([]);
      });
    });

    it('ping answers while the store is reachable', async () => {
      await store.ping();
    });
  });
}
