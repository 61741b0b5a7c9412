import { expect } from 'chai';
import type { RequestHandler } from 'express';
import { CompliancePolicies } from '../../application/compliance/compliance-policies.js';
import type { ProjectionRunner } from '../../application/read-models/projection-runner.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { createApp } from '../../infrastructure/http/create-app.js';
import { listen, type Listener } from '../../infrastructure/http/listener.js';
import { queryApiRoutes, type Role } from '../../infrastructure/http/admin/query-api-routes.js';
import { sendProblem } from '../../infrastructure/http/problem.js';
import { MetricsRegistry } from '../../infrastructure/metrics/registry.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { join } from 'node:path';
import { queryApiDeps } from '../support/query-api-deps.js';
import { allEvents, fixedClock, recordingLogger, Stores } from '../read-models/read-model-fixture.js';

type Json = Record<string, unknown>;
const DAY = 86_400_000;

/** Lets a request through when its x-role header names an allowed role or admin; 403 otherwise. */
function roleHeaderAuthorize(calls: Array<readonly Role[]>): (roles: readonly Role[]) => RequestHandler {
  return (roles) => {
    calls.push(roles);
    return (req, res, next) => {
      const role = req.get('x-role') ?? 'admin';
      if (role === 'admin' || (roles as readonly string[]).includes(role)) return next();
      sendProblem(res, { status: 403, detail: `role ${role} may not` });
    };
  };
}

describe('admin read API over built read models', function () {
  this.timeout(60_000);
  let stores: Stores;
  let runner: ProjectionRunner;
  let listener: Listener;
  let head: number;
  const authorizeCalls: Array<readonly Role[]> = [];

  const get = async (path: string, role = 'admin') => {
    const res = await fetch(`${listener.url}${path}`, { headers: { 'x-role': role } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const getJson = async (path: string, role?: string): Promise<Json> => {
    const res = await get(path, role);
    expect(res.status, `${path}: ${res.text}`).to.equal(200);
    expect(res.type).to.contain('application/json');
    return JSON.parse(res.text) as Json;
  };
  const expectProblem = async (path: string, status: number, detail?: RegExp) => {
    const res = await get(path);
    expect(res.status, `${path}: ${res.text}`).to.equal(status);
    expect(res.type).to.contain('application/problem+json');
    const body = JSON.parse(res.text) as Json;
    expect(body['status']).to.equal(status);
    if (detail) expect(body['detail']).to.match(detail);
  };
  const walk = async (path: string, key: string): Promise<Json[]> => {
    const out: Json[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      expect(pages, 'pages').to.be.lessThan(200);
      const page = await getJson(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...(page[key] as Json[]));
      cursor = page['nextCursor'] as string | undefined;
      if (!cursor) return out;
    }
  };
  let all: Json[];

  before(async () => {
    stores = new Stores();
    await writeSyntheticFleet(stores.events, { devices: 25, eventsPerDevice: 60 });
    await new CompliancePolicies(stores.events, fixedClock('2026-01-05T07:00:00Z')).define('passcode', { name: 'Passcode', rules: [{ type: 'passcode-required' }] }, { kind: 'admin', id: 'alice' });
    const events = await allEvents(stores.events);
    head = events.at(-1)!.position;
    const lastSeen = Math.max(...events.map((e) => Date.parse(e.recordedAt)));
    const clock = fixedClock(new Date(lastSeen + DAY).toISOString());
    runner = stores.runner(READ_MODEL_PROJECTIONS, { clock });
    await runner.start();
    expect(await runner.waitFor(head, 20_000)).to.equal(true);
    const deps = queryApiDeps({ events: stores.events, documents: stores.documents, progress: runner, status: () => runner.status() }, clock, roleHeaderAuthorize(authorizeCalls));
    const app = createApp('admin', { logger: recordingLogger(), metrics: new MetricsRegistry() }, (a) => a.use(queryApiRoutes(deps)));
    listener = await listen(app, '127.0.0.1', 0);
    all = (await getJson('/api/v1/devices?limit=1000'))['devices'] as Json[];
  });
  after(async () => {
    await listener?.close(1_000);
    await stores.close();
  });

  describe('GET /api/v1/devices', () => {
    it('lists every device by UDID', () => {
      expect(all.map((d) => d['udid'])).to.deep.equal(Array.from({ length: 25 }, (_, i) => syntheticUdid(i)).sort());
    });

    it('filters by field equality, typed by the field (booleans, numbers, text)', async () => {
      for (const [query, keep] of [
        ['supervised=true', (d: Json) => d['supervised'] === true],
        ['supervised=false', (d: Json) => d['supervised'] === false],
        ['enrollmentState=enrolled', (d: Json) => d['enrollmentState'] === 'enrolled'],
        [`model=${encodeURIComponent(String(all[3]!['model']))}`, (d: Json) => d['model'] === all[3]!['model']],
        ['pendingCommands=0&supervised=true', (d: Json) => d['pendingCommands'] === 0 && d['supervised'] === true],
      ] as const) {
        const want = all.filter(keep).map((d) => d['udid']);
        const got = ((await getJson(`/api/v1/devices?${query}`))['devices'] as Json[]).map((d) => d['udid']);
        expect(got, query).to.deep.equal(want);
      }
      expect(all.filter((d) => d['supervised'] === true).length).to.be.within(1, 24);
    });

    it('walks a sorted list page by page with the cursor', async () => {
      const walked = await walk('/api/v1/devices?sort=-lastSeenAt,deviceName&limit=4', 'devices');
      expect(walked.map((d) => d['udid']).sort()).to.deep.equal(all.map((d) => d['udid']));
      const seen = walked.map((d) => String(d['lastSeenAt']));
      expect(seen).to.deep.equal([...seen].sort().reverse());
    });

    it('filters relative to now: seenWithinDays and notSeenForDays split the fleet', async () => {
      const within = ((await getJson('/api/v1/devices?seenWithinDays=3'))['devices'] as Json[]).map((d) => d['udid']);
      const notSeen = ((await getJson('/api/v1/devices?notSeenForDays=3'))['devices'] as Json[]).map((d) => d['udid']);
      expect([...within, ...notSeen].sort()).to.deep.equal(all.map((d) => d['udid']));
    });

    it('returns only the fields asked for, with the UDID', async () => {
      const devices = (await getJson('/api/v1/devices?fields=deviceName,osVersion&limit=3'))['devices'] as Json[];
      expect(devices).to.have.length(3);
      for (const d of devices) expect(Object.keys(d).sort()).to.deep.equal(['deviceName', 'osVersion', 'udid'].filter((k) => k in d));
    });

    it('reports stale when a position is not reached in time', async () => {
      const page = await getJson(`/api/v1/devices?atLeastPosition=${head + 1_000}&waitMs=50&limit=1`);
      expect(page['stale']).to.equal(true);
      const fresh = await getJson(`/api/v1/devices?atLeastPosition=${head}&waitMs=50&limit=1`);
      expect(fresh).to.not.have.property('stale');
    });

    it('refuses bad parameters with 400 problem details', async () => {
      await expectProblem('/api/v1/devices?colour=red', 400, /unknown query parameter "colour"/);
      await expectProblem('/api/v1/devices?limit=0', 400, /limit/);
      await expectProblem('/api/v1/devices?limit=1001', 400, /limit/);
      await expectProblem('/api/v1/devices?limit=ten', 400, /limit/);
      await expectProblem('/api/v1/devices?limit=5&limit=6', 400, /once/);
      await expectProblem('/api/v1/devices?sort=-shoeSize', 400, /shoeSize/);
      await expectProblem('/api/v1/devices?cursor=bm90LWEtY3Vyc29y', 400, /cursor/);
      await expectProblem('/api/v1/devices?cursor=%7B%7D', 400, /cursor/);
      await expectProblem('/api/v1/devices?supervised=maybe', 400, /true or false/);
      await expectProblem('/api/v1/devices?batteryLevel=full', 400, /batteryLevel/);
      await expectProblem('/api/v1/devices?fields=secretSauce', 400, /secretSauce/);
      await expectProblem('/api/v1/devices?seenWithinDays=-1', 400, /seenWithinDays/);
      await expectProblem('/api/v1/devices?minimumOsVersion=latest', 400, /minimumOsVersion/);
      await expectProblem('/api/v1/devices?waitMs=100', 400, /atLeastPosition/);
      await expectProblem('/api/v1/devices?supervised[a]=1', 400);
    });
  });

  describe('one device', () => {
    it('answers its inventory document, 404 problem details for an unknown UDID', async () => {
      const udid = syntheticUdid(5);
      expect(await getJson(`/api/v1/devices/${udid}`)).to.deep.equal(all.find((d) => d['udid'] === udid));
      await expectProblem('/api/v1/devices/00008110-FFFFFFFFFFFFFFFF', 404);
      await expectProblem('/api/v1/devices/not%20a%20udid', 404);
      await expectProblem(`/api/v1/devices/${udid}?verbose=1`, 400);
    });

    it('lists its commands, newest first, filtered by status and time', async () => {
      const udid = syntheticUdid(2);
      const commands = await walk(`/api/v1/devices/${udid}/commands?limit=5`, 'commands');
      expect(commands.length).to.be.greaterThan(0);
      for (const c of commands) expect(c['udid']).to.equal(udid);
      const queued = commands.map((c) => String(c['queuedAt']));
      expect(queued).to.deep.equal([...queued].sort().reverse());
      const status = String(commands[0]!['status']);
      const byStatus = (await getJson(`/api/v1/devices/${udid}/commands?status=${status}&limit=1000`))['commands'] as Json[];
      expect(byStatus.map((c) => c['commandUuid'])).to.deep.equal(commands.filter((c) => c['status'] === status).map((c) => c['commandUuid']));
      const middle = queued[Math.floor(queued.length / 2)]!;
      const since = (await getJson(`/api/v1/devices/${udid}/commands?queuedFrom=${encodeURIComponent(middle)}&limit=1000`))['commands'] as Json[];
      expect(since.length).to.equal(queued.filter((q) => q >= middle).length);
      await expectProblem(`/api/v1/devices/${udid}/commands?status=lost`, 400, /status/);
      await expectProblem(`/api/v1/devices/${udid}/commands?queuedFrom=yesterday`, 400, /ISO 8601/);
    });

    it('answers its compliance, 404 for an unknown UDID', async () => {
      const entry = await getJson(`/api/v1/devices/${syntheticUdid(1)}/compliance`);
      expect(entry['udid']).to.equal(syntheticUdid(1));
      expect(['compliant', 'non-compliant', 'unknown', 'not-applicable']).to.include(entry['status']);
      await expectProblem('/api/v1/devices/00008110-FFFFFFFFFFFFFFFF/compliance', 404);
    });
  });

  describe('compliance', () => {
    it('summarises, and lists devices by state with a cursor', async () => {
      const summary = await getJson('/api/v1/compliance');
      expect(summary).to.have.property('evaluatedAt');
      const listed = await walk('/api/v1/compliance/devices?limit=6', 'devices');
      expect(listed.map((d) => d['udid'])).to.deep.equal(all.map((d) => d['udid']));
      const compliant = (await getJson('/api/v1/compliance/devices?status=compliant&limit=1000'))['devices'] as Json[];
      expect(compliant.map((d) => d['udid'])).to.deep.equal(listed.filter((d) => d['status'] === 'compliant').map((d) => d['udid']));
      await expectProblem('/api/v1/compliance/devices?status=great', 400, /status/);
      await expectProblem('/api/v1/compliance/devices?policyId=nope', 400, /no policy/);
      await expectProblem('/api/v1/compliance/devices?cursor=abc', 400, /cursor/);
    });
  });

  describe('GET /api/v1/audit', () => {
    it('filters by device and types (repeated or comma list), in either order', async () => {
      const stream = deviceStreamId(syntheticUdid(3));
      const events = (await allEvents(stores.events)).filter((e) => e.streamId === stream);
      const types = [...new Set(events.map((e) => e.type))].slice(0, 2);
      const want = events.filter((e) => types.includes(e.type)).length;
      const comma = await walk(`/api/v1/audit?udid=${syntheticUdid(3)}&type=${types.join(',')}&order=asc&limit=7`, 'entries');
      const repeated = await walk(`/api/v1/audit?udid=${syntheticUdid(3)}&${types.map((t) => `type=${t}`).join('&')}&order=asc&limit=7`, 'entries');
      expect(comma.length).to.equal(want);
      expect(repeated).to.deep.equal(comma);
      const at = comma.map((e) => String(e['at']));
      expect(at).to.deep.equal([...at].sort());
      await expectProblem('/api/v1/audit?order=sideways', 400, /order/);
      await expectProblem('/api/v1/audit?from=31/01/2026', 400, /ISO 8601/);
    });
  });

  describe('GET /api/v1/events', () => {
    it('streams the events as NDJSON, filtered by stream and type', async () => {
      const stream = deviceStreamId(syntheticUdid(7));
      const events = (await allEvents(stores.events)).filter((e) => e.streamId === stream);
      const type = events[events.length - 1]!.type;
      const res = await get(`/api/v1/events?stream=${encodeURIComponent(stream)}&type=${type}`, 'auditor');
      expect(res.status).to.equal(200);
      expect(res.type).to.contain('application/x-ndjson');
      expect(res.text.endsWith('\n')).to.equal(true);
      const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);
      expect(lines.map((l) => l['eventId'])).to.deep.equal(events.filter((e) => e.type === type).map((e) => e.eventId));

      const everything = await get('/api/v1/events');
      expect(everything.text.trimEnd().split('\n')).to.have.length((await allEvents(stores.events)).length);
      await expectProblem('/api/v1/events?since=soon', 400, /ISO 8601/);
      await expectProblem('/api/v1/events?limit=5', 400, /unknown query parameter/);
    });
  });

  it('GET /api/v1/projections answers each projection\'s state and lag', async () => {
    const body = await getJson('/api/v1/projections');
    const projections = body['projections'] as Json[];
    expect(projections.map((p) => p['name']).sort()).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => p.name).sort());
    for (const p of projections) {
      expect(p['state']).to.equal('running');
      expect(p['position']).to.be.a('number');
      expect(p['lagEvents']).to.be.a('number');
      expect(p['lagSeconds']).to.be.a('number');
    }
    await expectProblem('/api/v1/projections?x=1', 400);
  });

  it('asks the authorize hook first, with the roles of each route', async () => {
    const routes: Array<[string, readonly string[]]> = [
      ['/api/v1/devices', ['operator', 'auditor', 'user']],
      [`/api/v1/devices/${syntheticUdid(1)}`, ['operator', 'auditor', 'user']],
      [`/api/v1/devices/${syntheticUdid(1)}/commands`, ['operator', 'auditor', 'user']],
      [`/api/v1/devices/${syntheticUdid(1)}/compliance`, ['operator', 'auditor', 'user']],
      ['/api/v1/compliance', ['operator', 'auditor']],
      ['/api/v1/compliance/devices', ['operator', 'auditor']],
      ['/api/v1/audit', ['auditor']],
      ['/api/v1/events', ['auditor']],
      ['/api/v1/projections', ['operator', 'auditor']],
    ];
    expect(authorizeCalls).to.have.length(routes.length);
    for (const roles of authorizeCalls) expect(roles).to.not.include('admin');
    for (const [path, roles] of routes) {
      for (const role of ['operator', 'auditor', 'gateway', 'user']) {
        // Bad parameters too: refusal comes before validation, so nothing leaks to the refused.
        const res = await get(`${path}?bogus=1`, role);
        expect(res.status, `${role} ${path}`).to.equal(roles.includes(role) ? 400 : 403);
        if (!roles.includes(role)) expect(res.type).to.contain('application/problem+json');
      }
    }
  });

  it('answers 503 problem details while a read model has never been built', async () => {
    const documents = openSqliteDocumentStore(join(stores.dir.path, 'empty-readmodels.db'));
    const app = createApp('admin', { logger: recordingLogger(), metrics: new MetricsRegistry() }, (a) => a.use(queryApiRoutes(queryApiDeps({ events: stores.events, documents }, fixedClock('2026-03-01T00:00:00Z')))));
    const l = await listen(app, '127.0.0.1', 0);
    try {
      for (const path of ['/api/v1/devices', '/api/v1/audit', '/api/v1/compliance', `/api/v1/devices/${syntheticUdid(1)}/commands`]) {
        const res = await fetch(`${l.url}${path}`);
        expect(res.status, path).to.equal(503);
        expect(res.headers.get('content-type')).to.contain('application/problem+json');
      }
    } finally {
      await l.close(1_000);
      await documents.close();
    }
  });
});
