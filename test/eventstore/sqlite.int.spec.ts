import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { ConcurrencyError, InvalidEventError } from '../../application/ports/event-store.js';
import { eventStoreContract } from './contract.js';
import Database from 'better-sqlite3';
import { GENESIS_HASH, encodeBatch } from '../../application/event-integrity.js';
import { tempDir } from '../support/temp-dir.js';

for (const durability of ['process', 'power'] as const) {
  eventStoreContract(`SQLite (${durability})`, async () => {
    const dir = tempDir();
    const file = join(dir.path, 'events.db');
    const store = new SqliteEventStore(file, { durability });
    return {
      store,
      // A second connection on the same file stands for another process (the CLI) writing.
      openSecondClient: async () => new SqliteEventStore(file, { durability }),
      dispose: async () => {
        await store.close();
        dir.remove();
      },
    };
  });
}

describe('SQLite event store specifics', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('commits concurrent appends as one group, each judged on its own', async () => {
    const store = new SqliteEventStore(join(dir.path, 'e.db'));
    try {
      await store.append('s-1', [{ eventId: randomUUID(), type: 'A', data: {} }], 'no-stream');
      expect(store.stats).to.deep.equal({ commits: 1, appends: 1 });
      const results = await Promise.allSettled([
        store.append('s-1', [{ eventId: randomUUID(), type: 'B', data: {} }], 0),
        store.append('s-1', [{ eventId: randomUUID(), type: 'C', data: {} }], 0),
        store.append('s-2', [{ eventId: randomUUID(), type: 'D', data: {} }], 'no-stream'),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).to.be.instanceOf(ConcurrencyError);
      expect((await store.readStream('s-1')).map((e) => e.type)).to.deep.equal(['A', 'B']);
      expect(store.stats, 'three appends in one commit').to.deep.equal({ commits: 2, appends: 4 });
    } finally {
      await store.close();
    }
  });

  it('keeps appends across a reopen (the file is the store)', async () => {
    const file = join(dir.path, 'e.db');
    const a = new SqliteEventStore(file);
    await a.append('device-1', [{ eventId: randomUUID(), type: 'A', data: { x: 1 } }], 'no-stream');
    await a.close();
    const b = new SqliteEventStore(file);
    try {
      expect((await b.readStream('device-1')).map((e) => e.data)).to.deep.equal([{ x: 1 }]);
      expect((await b.append('device-1', [{ eventId: randomUUID(), type: 'B', data: {} }], 0)).nextRevision).to.equal(1);
    } finally {
      await b.close();
    }
  });

  it('refuses invalid stream ids, event ids and types, and appends nothing for them', async () => {
    const store = new SqliteEventStore(join(dir.path, 'e.db'));
    try {
      for (const [stream, id, type] of [['', randomUUID(), 'A'], ['has space', randomUUID(), 'A'], ['$system', randomUUID(), 'A'], ['ok', 'not-a-uuid', 'A'], ['ok', randomUUID(), '']] as const) {
        const err = await store.append(stream, [{ eventId: id, type, data: {} }], 'any').catch((e: unknown) => e);
        expect(err, `${stream}/${id}/${type}`).to.be.instanceOf(InvalidEventError);
      }
      expect(await store.readAll()).to.deep.equal([]);
    } finally {
      await store.close();
    }
  });

  it('stores the exact JSON texts that the hash covers', async () => {
    const file = join(dir.path, 'e.db');
    const store = new SqliteEventStore(file);
    const event = { eventId: randomUUID(), type: 'A', data: { z: 1, a: 'é' }, metadata: { correlationId: 'c-1' } };
    await store.append('s', [event], 'no-stream');
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      const row = raw.prepare('SELECT data, metadata FROM events WHERE stream_id = ?').get('s') as { data: string; metadata: string };
      const [expected] = encodeBatch('s', -1, GENESIS_HASH, [event]);
      expect(row.data).to.equal(expected!.dataJson);
      expect(row.metadata).to.equal(expected!.metadataJson);
    } finally {
      raw.close();
    }
  });
});

describe('polling subscription', () => {
  it('retries a failed read from the last delivered position: nothing lost, nothing repeated', async () => {
    const { pollingSubscription } = await import('../../infrastructure/eventstore/polling-subscription.js');
    const events = Array.from({ length: 6 }, (_, i) => ({
      streamId: 's', revision: i, position: i + 1, eventId: randomUUID(), type: 'E', data: { n: i },
      metadata: { prevHash: '', hash: '' }, recordedAt: new Date(0).toISOString(),
    }));
    let failures = 0;
    const seen: number[] = [];
    const sub = pollingSubscription({
      readAfter: (after, max) => {
        // Fails on the second and third read, as a busy or unreadable file would.
        if ((after ?? 0) === 3 && failures < 2) {
          failures++;
          throw new Error('SQLITE_BUSY');
        }
        return events.filter((e) => e.position > (after ?? 0)).slice(0, Math.min(max, 3));
      },
      headPosition: () => 6,
      onAppend: () => () => undefined,
    }, (e) => { seen.push(e.position); }, { pollMs: 20 });
    const started = Date.now();
    while (seen.length < 6 && Date.now() - started < 3_000) await new Promise((r) => setTimeout(r, 10));
    await sub.close();
    expect(failures).to.equal(2);
    expect(seen).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('stops at a failing handler and reports it through onError', async () => {
    const { pollingSubscription } = await import('../../infrastructure/eventstore/polling-subscription.js');
    const events = [1, 2, 3].map((p) => ({ streamId: 's', revision: p - 1, position: p, eventId: randomUUID(), type: 'E', data: {}, metadata: { prevHash: '', hash: '' }, recordedAt: '' }));
    const errors: Error[] = [];
    const seen: number[] = [];
    const sub = pollingSubscription({
      readAfter: (after) => events.filter((e) => e.position > (after ?? 0)),
      headPosition: () => 3,
      onAppend: () => () => undefined,
    }, (e) => { if (e.position === 2) throw new Error('poison'); seen.push(e.position); }, { pollMs: 20, onError: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 100));
    await sub.close();
    expect(seen).to.deep.equal([1]);
    expect(errors.map((e) => e.message)).to.deep.equal(['poison']);
    expect(sub.lastPosition).to.equal(1);
  });
});
