import { expect } from 'chai';
import express from 'express';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { listen, type Listener } from '../../infrastructure/http/listener.js';
import { notFound, problemErrorHandler } from '../../infrastructure/http/problem.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { openSqliteDocumentStore, type SqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { buildAdminApi } from '../support/admin-api.js';
import { tempDir } from '../support/temp-dir.js';

/** The store, except that recording an idempotent answer fails while `failing` is set: the process "dies" after the work, before the answer is kept. */
function answerLosingStore(store: EventStore, state: { failing: boolean }): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (streamId: string, ...rest: unknown[]) => {
          if (state.failing && streamId.startsWith('idempotency-')) return Promise.reject(new Error('the process died here'));
          return (target.append as (...a: unknown[]) => unknown).call(target, streamId, ...rest);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

describe('Idempotency-Key when the answer was never recorded', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let documents: SqliteDocumentStore;
  let server: Listener;
  let token = '';
  const state = { failing: true };

  before(async () => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    await writeSyntheticFleet(store, { devices: 2, eventsPerDevice: 8 });
    documents = openSqliteDocumentStore(join(dir.path, 'readmodels.db'));
    token = (await new ApiTokens(store, systemClock).create({ role: 'operator', name: 'ops' }, { kind: 'admin', id: 'test' })).token;
    const api = buildAdminApi({ events: answerLosingStore(store, state), documents }, systemClock, loadConfig({ MDM_DATA_DIR: dir.path }));
    const app = express();
    app.use(api.router);
    app.use(notFound);
    app.use(problemErrorHandler(jsonLogger({ write: () => undefined })));
    server = await listen(app, '127.0.0.1', 0);
  });
  after(async () => {
    await server.close(1_000);
    await documents.close();
    await store.close();
    dir.remove();
  });

  const post = (path: string, body: unknown, key: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });

  it('does the request again on a retry, and the store recognises what was already written: nothing is queued twice', async () => {
    const udid = syntheticUdid(1);
    const body = { request: { requestType: 'DeviceLock', Message: 'Lost: call IT' } };
    state.failing = true;
    const lost = await post(`/api/v1/devices/${udid}/commands`, body, 'retry-me');
    expect(lost.status).to.equal(500);
    const locks = async () => (await store.readStream(`device-${udid}`)).filter((e) => e.type === 'CommandQueued' && (e.data as { request: { Message?: string } }).request.Message === 'Lost: call IT');
    expect(await locks(), 'the work was done before the failure').to.have.length(1);

    state.failing = false;
    const retried = await post(`/api/v1/devices/${udid}/commands`, body, 'retry-me');
    expect(retried.status).to.equal(202);
    const answer = (await retried.json()) as { commandUuid: string; outcome: string };
    expect(answer.outcome).to.equal('already-queued');
    const queued = await locks();
    expect(queued).to.have.length(1);
    expect((queued[0]!.data as { commandUuid: string }).commandUuid).to.equal(answer.commandUuid);

    // From now on the answer is kept, and given again.
    const again = await post(`/api/v1/devices/${udid}/commands`, body, 'retry-me');
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(await again.json()).to.deep.equal(answer);
  });

  it('does not create a second group when the answer to the first create was lost', async () => {
    state.failing = true;
    expect((await post('/api/v1/groups', { name: 'lost-answer' }, 'group-key')).status).to.equal(500);
    state.failing = false;
    const retried = await post('/api/v1/groups', { name: 'lost-answer' }, 'group-key');
    // The group was made before the failure: the retry finds it made by this very request.
    expect(retried.status).to.equal(200);
    expect((await store.readStream('device-group-lost-answer')).filter((e) => e.type === 'DeviceGroupCreated')).to.have.length(1);
    // Without the key, the same create again is recognised as changing nothing (200); other settings are a conflict.
    const plain = await fetch(`${server.url}/api/v1/groups`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'lost-answer' }) });
    expect(plain.status).to.equal(200);
    const other = await fetch(`${server.url}/api/v1/groups`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'lost-answer', quarantine: true }) });
    expect(other.status).to.equal(409);
  });
});
