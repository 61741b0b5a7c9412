import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  EventTooLargeError,
  type NewEvent,
  type RecordedEvent,
} from '../../application/ports/event-store.js';
import { GENESIS_HASH, encodeBatch, verifyStreamChain } from '../../application/event-integrity.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdb-event-store.js';
import { startEsdbStandin, type EsdbStandin } from '../support/esdb-standin.js';
import { eventStoreContract } from './contract.js';

const ev = (type: string, data: unknown, metadata?: NewEvent['metadata']): NewEvent => ({ eventId: randomUUID(), type, data, ...(metadata ? { metadata } : {}) });

// The stand-in, once per client append path: servers before 21.10 do not advertise BatchAppend and
// the client uses Append; later ones do, and the client uses BatchAppend.
for (const batchAppend of [false, true]) {
  eventStoreContract(`EventStoreDB stand-in (${batchAppend ? 'BatchAppend' : 'Append'})`, async () => {
    const standin = await startEsdbStandin({ batchAppend });
    const store = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    const others: EsdbEventStore[] = [];
    return {
      store,
      dropSubscriptions: () => standin.dropSubscriptions(),
      openSecondClient: async () => {
        const other = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
        others.push(other);
        return other;
      },
      dispose: async () => {
        await Promise.all([store, ...others].map((s) => s.close()));
        await standin.stop();
      },
    };
  }, { hasConnection: true });
}

const esdbUrl = process.env['ESDB_URL'];
const esdbTarget = proxiable(esdbUrl);
eventStoreContract(
  'EventStoreDB (ESDB_URL)',
  async () => {
    const endpoint = esdbTarget ? await startTcpEndpoint(esdbTarget) : undefined;
    if (endpoint) endpoint.forwarding = true;
    const url = endpoint && esdbTarget ? esdbTarget.rewrite(endpoint.port) : esdbUrl!;
    const store = EsdbEventStore.connect(url);
    const others: EsdbEventStore[] = [];
    return {
      store,
      ...(endpoint ? { dropSubscriptions: () => endpoint.cut() } : {}),
      openSecondClient: async () => {
        const other = EsdbEventStore.connect(url);
        others.push(other);
        return other;
      },
      dispose: async () => {
        await Promise.all([store, ...others].map((s) => s.close()));
        await endpoint?.stop();
      },
    };
  },
  {
    hasConnection: esdbTarget !== undefined,
    skipReason: () => (esdbUrl ? undefined : 'ESDB_URL not set (docker compose up -d eventstore; ESDB_URL=esdb://localhost:2113?tls=false)'),
  },
);

/**
 * A TCP endpoint on 127.0.0.1. While `forwarding` is off it accepts connections and never says a
 * word (a hung server, a black-holing proxy); those connections stay open when it is switched on.
 * While on, new connections are piped to the target. cut() drops every connection, as a network would.
 */
async function startTcpEndpoint(target?: { host: string; port: number }): Promise<{ port: number; forwarding: boolean; cut(): Promise<void>; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  let stopped = false;
  const endpoint = {
    port: 0,
    forwarding: false,
    async cut() {
      for (const s of sockets) s.destroy();
      // Let the clients in this process see their connections close before anything else runs.
      await new Promise((r) => setTimeout(r, 100));
    },
    async stop() {
      stopped = true; // clients still retrying must not hold server.close() open
      await endpoint.cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((socket) => {
    if (stopped) return void socket.destroy();
    track(socket);
    if (!endpoint.forwarding || !target) return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    socket.pipe(upstream).pipe(socket);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.port = (server.address() as net.AddressInfo).port;
  return endpoint;
}

/**
 * The real-server leg reaches ESDB_URL through a TCP endpoint of ours, so that it too can drop
 * connections. That needs a single node without TLS (with TLS the certificate names the server,
 * not 127.0.0.1); other URLs run without the drop test.
 */
function proxiable(url: string | undefined): { host: string; port: number; rewrite(port: number): string } | undefined {
  if (!url) return undefined;
  const match = /^esdb:\/\/(?<auth>[^@/]*@)?(?<host>[^:/?,]+):(?<port>\d+)\/?(?<query>\?.*)?$/.exec(url);
  if (!match?.groups || !/[?&]tls=false(&|$)/i.test(match.groups['query'] ?? '')) return undefined;
  const { auth = '', host, port, query = '' } = match.groups;
  return { host: host!, port: Number(port), rewrite: (p) => `esdb://${auth}127.0.0.1:${p}${query}` };
}

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await run().then(() => undefined, (e: unknown) => e);
  return { error, ms: Date.now() - started };
}

describe('EventStoreDB adapter specifics', function () {
  this.timeout(20_000);

  describe('an endpoint that accepts TCP and never answers', () => {
    let silent: Awaited<ReturnType<typeof startTcpEndpoint>>;
    let store: EsdbEventStore;
    beforeEach(async () => {
      silent = await startTcpEndpoint();
      store = EsdbEventStore.connect(`esdb://127.0.0.1:${silent.port}?tls=false`, { deadlineMs: 500 });
    });
    afterEach(async () => {
      await store.close();
      await silent.stop();
    });

    const calls: Array<[string, () => Promise<unknown>]> = [
      ['append', () => store.append(`s-${randomUUID()}`, [ev('A', {})], 'any')],
      ['readStream', () => store.readStream(`s-${randomUUID()}`)],
      ['readAll', () => store.readAll({ maxCount: 10 })],
      ['ping', () => store.ping()],
    ];
    for (const [name, call] of calls) {
      it(`${name} rejects with EventStoreUnavailableError within the deadline`, async () => {
        const { error, ms } = await timed(call);
        expect(error).to.be.instanceOf(EventStoreUnavailableError);
        expect(ms).to.be.within(450, 2_000);
      });
    }

    it('recovers without a restart once the endpoint answers again', async () => {
      const standin = await startEsdbStandin();
      const endpoint = await startTcpEndpoint({ host: '127.0.0.1', port: standin.port });
      const recovering = EsdbEventStore.connect(`esdb://127.0.0.1:${endpoint.port}?tls=false`, { deadlineMs: 500 });
      try {
        const s = `device-${randomUUID()}`;
        expect(await recovering.append(s, [ev('A', {})], 'no-stream').catch((e: unknown) => e)).to.be.instanceOf(EventStoreUnavailableError);
        // The silent connection stays open: only a new connection reaches the server.
        endpoint.forwarding = true;
        expect((await recovering.append(s, [ev('A', {})], 'no-stream')).nextRevision).to.equal(0);
        await recovering.ping();
      } finally {
        await recovering.close();
        await endpoint.stop();
        await standin.stop();
      }
    });

    it('a subscription keeps retrying without catching up, and close() returns promptly', async () => {
      const errors: Error[] = [];
      const sub = store.subscribeToAll(() => undefined, { onError: (e) => errors.push(e) });
      let caughtUp = false;
      void sub.caughtUp.then(() => (caughtUp = true));
      await new Promise((r) => setTimeout(r, 1_300));
      expect(caughtUp).to.equal(false);
      const { ms } = await timed(() => sub.close());
      expect(ms).to.be.lessThan(1_000);
      expect(errors).to.deep.equal([]);
    });
  });

  describe('on the stand-in', () => {
    let standin: EsdbStandin;
    let store: EsdbEventStore;
    beforeEach(async () => {
      standin = await startEsdbStandin();
      store = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    });
    afterEach(async () => {
      await store.close();
      await standin.stop();
    });

    it('stores exactly the texts encodeBatch produced, as JSON', async () => {
      const s = `device-${randomUUID()}`;
      const events = [ev('A', { z: 1, a: 'é', n: [1.5, -0, 1e21, '\u2028'], '10': 'k', '2': 'j' }, { correlationId: 'c-1', actor: { kind: 'admin', id: 'alice' } }), ev('B', null)];
      await store.append(s, events, 'no-stream');
      const stored = standin.records().filter((r) => r.streamId === s);
      const expected = encodeBatch(s, -1, GENESIS_HASH, events);
      expect(stored).to.have.length(2);
      stored.forEach((r, i) => {
        expect(r.data.toString('utf8')).to.equal(expected[i]!.dataJson);
        expect(r.metadata.toString('utf8')).to.equal(expected[i]!.metadataJson);
        expect(r.contentType).to.equal('application/json');
        expect(r.eventId).to.equal(events[i]!.eventId);
        expect(r.type).to.equal(events[i]!.type);
      });
      expect(verifyStreamChain(await store.readStream(s))).to.equal(undefined);
    });

    it('never hands system events to readAll or a subscription', async () => {
      const seen: RecordedEvent[] = [];
      const sub = store.subscribeToAll((e) => { seen.push(e); });
      try {
        await sub.caughtUp;
        const s = `device-${randomUUID()}`;
        await store.append(s, [ev('Before', {})], 'no-stream');
        standin.insert('$stats-127.0.0.1:2113', { type: '$statsCollected', data: { 'proc-cpu': 1 } });
        standin.insert(`$$${s}`, { type: '$metadata', data: { $maxCount: 10 } });
        await store.append(s, [ev('After', {})], 0);
        const deadline = Date.now() + 5_000;
        while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 100));
        expect(seen.map((e) => e.type)).to.deep.equal(['Before', 'After']);
        expect((await store.readAll()).map((e) => e.type)).to.deep.equal(['Before', 'After']);
        // A page bounded by maxCount still counts only non-system events.
        const [before] = await store.readAll({ maxCount: 1 });
        expect((await store.readAll({ after: before!.position, maxCount: 1 })).map((e) => e.type)).to.deep.equal(['After']);
        expect(standin.records().map((r) => r.type)).to.include.members(['$statsCollected', '$metadata']);
      } finally {
        await sub.close();
      }
      // A subscription that starts after the system events sees none of them either.
      const later: string[] = [];
      const again = store.subscribeToAll((e) => { later.push(e.type); });
      try {
        await again.caughtUp;
        expect(later).to.deep.equal(['Before', 'After']);
      } finally {
        await again.close();
      }
    });

    it('maps the server refusing an append as too large to EventTooLargeError', async () => {
      const small = await startEsdbStandin({ maxAppendSize: 4_096 });
      const client = EsdbEventStore.connect(small.connectionString);
      try {
        const s = `device-${randomUUID()}`;
        const err = await client.append(s, [ev('Big', { blob: 'x'.repeat(8_000) })], 'no-stream').catch((e: unknown) => e);
        expect(err).to.be.instanceOf(EventTooLargeError);
        expect((err as EventTooLargeError).limit).to.equal(4_096);
        expect(await client.readStream(s)).to.deep.equal([]);
      } finally {
        await client.close();
        await small.stop();
      }
    });

    it('refuses to extend a stream whose head carries no hash', async () => {
      const s = `device-${randomUUID()}`;
      const raw = EventStoreDBClient.connectionString(standin.connectionString);
      try {
        await raw.appendToStream(s, jsonEvent({ type: 'Foreign', data: { a: 1 } }));
      } finally {
        await raw.dispose();
      }
      const err = await store.append(s, [ev('A', {})], 'any').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.match(/no hash/);
      expect(await store.readStream(s)).to.have.length(1);
    });

    it("retries 'any' appends that lose the race for the head, keeping one chain", async () => {
      const s = `device-${randomUUID()}`;
      const second = EsdbEventStore.connect(standin.connectionString);
      try {
        await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? second : store).append(s, [ev('E', { i })], 'any')));
        const events = await store.readStream(s);
        expect(events).to.have.length(10);
        expect(verifyStreamChain(events)).to.equal(undefined);
      } finally {
        await second.close();
      }
    });

    it('reports the position of the last event of a multi-event append', async () => {
      const s = `device-${randomUUID()}`;
      const r = await store.append(s, [ev('A', {}), ev('B', {}), ev('C', {})], 'no-stream');
      const events = await store.readStream(s);
      expect(r.nextRevision).to.equal(2);
      expect(r.position).to.equal(events[2]!.position);
      expect(events[0]!.position).to.be.lessThan(events[1]!.position);
    });

    it('resumes after the network drops every connection (how the ESDB_URL leg drops)', async () => {
      const endpoint = await startTcpEndpoint({ host: '127.0.0.1', port: standin.port });
      endpoint.forwarding = true;
      const proxied = EsdbEventStore.connect(`esdb://127.0.0.1:${endpoint.port}?tls=false`, { deadlineMs: 5_000 });
      const s = `device-${randomUUID()}`;
      const seen: number[] = [];
      const sub = proxied.subscribeToAll((e) => { if (e.streamId === s) seen.push((e.data as { n: number }).n); });
      try {
        await sub.caughtUp;
        await proxied.append(s, [ev('E', { n: 1 })], 'no-stream');
        const until = async (n: number) => {
          const deadline = Date.now() + 10_000;
          while (seen.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        };
        await until(1);
        await endpoint.cut();
        await proxied.append(s, [ev('E', { n: 2 }), ev('E', { n: 3 })], 0);
        await until(3);
        await new Promise((r) => setTimeout(r, 200));
        expect(seen).to.deep.equal([1, 2, 3]);
      } finally {
        await sub.close();
        await proxied.close();
        await endpoint.stop();
      }
    });

    it('gives up with onError when the handler throws, and when the store closes under it', async () => {
      const s = `device-${randomUUID()}`;
      await store.append(s, [ev('A', {}), ev('Poison', {}), ev('C', {})], 'no-stream');
      const errors: string[] = [];
      const seen: string[] = [];
      const sub = store.subscribeToAll((e) => {
        if (e.type === 'Poison') throw new Error('poison');
        seen.push(e.type);
      }, { onError: (e) => errors.push(e.message) });
      const deadline = Date.now() + 5_000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seen).to.deep.equal(['A']);
      expect(errors).to.deep.equal(['poison']);
      await sub.close();

      const other = EsdbEventStore.connect(standin.connectionString);
      const closedErrors: Error[] = [];
      const live = other.subscribeToAll(() => undefined, { onError: (e) => closedErrors.push(e) });
      await live.caughtUp;
      await other.close();
      expect(closedErrors).to.have.length(1);
      expect(closedErrors[0]).to.be.instanceOf(EventStoreUnavailableError);
    });
  });
});
