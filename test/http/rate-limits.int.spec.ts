import { expect } from 'chai';
import { Router, type Express } from 'express';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import type { Clock } from '../../application/ports/clock.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AdminHttp } from '../../infrastructure/http/admin/admin-http.js';
import { apiAuth } from '../../infrastructure/http/admin/api-auth.js';
import { API_PREFIX } from '../../infrastructure/http/admin/query-api-routes.js';
import { DeviceHttp } from '../../infrastructure/http/device/device-http.js';
import { PlainHttp } from '../../infrastructure/http/plain/plain-http.js';
import { Lifecycle } from '../../infrastructure/lifecycle.js';
import { MetricsRegistry } from '../../infrastructure/metrics/registry.js';
import { recordingLogger } from '../apns/recorders.js';
import { tempDir } from '../support/temp-dir.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** node:http rather than fetch: the tests choose the local address (127.0.0.x) a request comes from. */
function call(url: string, options: { method?: string; headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, localAddress: options.from ?? '127.0.0.1', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(app: Express): Promise<{ base: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the routes behind the limits answer when they are reached; the limits are under test. */
function answering(paths: readonly string[]): Router {
  const router = Router();
  for (const path of paths) router.all(path, (_req, res) => void res.status(200).type('text/plain').send('reached\n'));
  return router;
}

const rateLimited = (metrics: MetricsRegistry, endpoint: string): number => {
  const line = metrics.render().split('\n').find((l) => l.startsWith(`mdm_rate_limited_total{endpoint="${endpoint}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('rate limits on enrollment, SCEP and admin API authentication', () => {
  const BOOTSTRAP = 'bootstrap-admin-token-0123456789';
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let nowMs: number;
  const clock: Clock = { now: () => new Date(nowMs) };
  let metrics: MetricsRegistry;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    nowMs = Date.UTC(2026, 10, 23, 9, 0, 0);
    metrics = new MetricsRegistry();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await store.close();
    dir.remove();
  });

  const config = (env: Record<string, string> = {}) => loadConfig({ MDM_DATA_DIR: dir.path, MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: '3', MDM_RATE_LIMIT_SCEP_PER_MINUTE: '2', MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE: '2', ...env });

  async function deviceListener(env: Record<string, string> = {}): Promise<string> {
    const routes = (paths: string[]) => answering(paths);
    const device = new DeviceHttp(store, metrics, recordingLogger(), new Lifecycle(), routes(['/mdm']), routes(['/']), routes(['/enroll/:token']), routes(['/enroll', '/ota/:id']), undefined, config(env), clock);
    const served = await serve(device.app());
    closers.push(served.close);
    return served.base;
  }

  async function adminListener(env: Record<string, string> = {}): Promise<string> {
    const auth = apiAuth({ tokens: new ApiTokens(store, clock), bootstrapToken: BOOTSTRAP, now: () => nowMs });
    const api = Router();
    api.use(API_PREFIX, auth.authenticate);
    api.get(`${API_PREFIX}/devices`, (_req, res) => void res.json({ devices: [] }));
    const admin = new AdminHttp(store, metrics, recordingLogger(), new Lifecycle(), undefined, undefined, api, undefined, config(env), clock);
    const served = await serve(admin.app());
    closers.push(served.close);
    return served.base;
  }

  it('enrollment: 429 with Retry-After per address after the limit, over all enrollment routes, until the minute ends', async () => {
    const base = await deviceListener();
    expect((await call(`${base}/enroll`)).status).to.equal(200);
    expect((await call(`${base}/enroll/0123456789abcdef`, { method: 'POST' })).status).to.equal(200);
    expect((await call(`${base}/ota/8d0e4c4e-5f7a-4f7e-9a57-3f1f3c7c9d11`, { method: 'POST' })).status).to.equal(200);
    nowMs += 20_000;
    const refused = await call(`${base}/enroll/0123456789abcdef`, { method: 'POST' });
    expect(refused.status).to.equal(429);
    expect(refused.headers['retry-after']).to.equal('40');
    expect(refused.body).to.not.contain('reached');
    expect((await call(`${base}/enroll`, { from: '127.0.0.2' })).status, 'another address').to.equal(200);
    expect((await call(`${base}/mdm`, { method: 'PUT' })).status, 'the MDM endpoints are not limited').to.equal(200);
    expect(rateLimited(metrics, 'enrollment')).to.equal(1);
    nowMs += 40_000;
    expect((await call(`${base}/enroll`)).status, 'a new minute').to.equal(200);
  });

  it('enrollment behind a trusted proxy counts the forwarded address', async () => {
    const base = await deviceListener({ MDM_TRUSTED_PROXY_CIDRS: '127.0.0.1/32' });
    for (let i = 0; i < 3; i++) expect((await call(`${base}/enroll`, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).to.equal(200);
    expect((await call(`${base}/enroll`, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).to.equal(429);
    expect((await call(`${base}/enroll`, { headers: { 'x-forwarded-for': '198.51.100.8' } })).status).to.equal(200);
  });

  it('SCEP: only PKIOperation counts; 429 text with Retry-After beyond the limit, on the plain-HTTP listener too', async () => {
    const base = await deviceListener();
    for (let i = 0; i < 5; i++) expect((await call(`${base}/scep?operation=GetCACert`)).status).to.equal(200);
    expect((await call(`${base}/scep?operation=PKIOperation`, { method: 'POST' })).status).to.equal(200);
    expect((await call(`${base}/scep?operation=PKIOperation&message=AAAA`)).status).to.equal(200);
    const refused = await call(`${base}/scep?operation=PKIOperation`, { method: 'POST' });
    expect(refused.status).to.equal(429);
    expect(refused.headers['retry-after']).to.equal('60');
    expect(refused.headers['content-type']).to.match(/^text\/plain/);
    expect((await call(`${base}/scep?operation=GetCACaps`)).status).to.equal(200);
    nowMs += 60_000;
    expect((await call(`${base}/scep?operation=PKIOperation`, { method: 'POST' })).status).to.equal(200);

    const plain = await serve(new PlainHttp(store, metrics, recordingLogger(), new Lifecycle(), answering(['/']), undefined, config(), clock).app());
    closers.push(plain.close);
    for (let i = 0; i < 2; i++) expect((await call(`${plain.base}/scep?operation=PKIOperation`, { method: 'POST' })).status).to.equal(200);
    expect((await call(`${plain.base}/scep?operation=PKIOperation`, { method: 'POST' })).status).to.equal(429);
    expect(rateLimited(metrics, 'scep')).to.equal(2);
  });

  it('0 turns a limit off', async () => {
    const base = await deviceListener({ MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: '0', MDM_RATE_LIMIT_SCEP_PER_MINUTE: '0' });
    for (let i = 0; i < 10; i++) {
      expect((await call(`${base}/enroll`)).status).to.equal(200);
      expect((await call(`${base}/scep?operation=PKIOperation`, { method: 'POST' })).status).to.equal(200);
    }
    expect(rateLimited(metrics, 'enrollment') + rateLimited(metrics, 'scep')).to.equal(0);
  });

  it('admin API: after too many 401s an address gets 429 problem details, even with a valid token; other addresses are unaffected', async () => {
    const base = await adminListener();
    const devices = `${base}${API_PREFIX}/devices`;
    const good = { authorization: `Bearer ${BOOTSTRAP}` };
    expect((await call(devices, { headers: good })).status, 'successes do not count').to.equal(200);
    expect((await call(devices, { headers: good })).status).to.equal(200);
    expect((await call(devices, { headers: good })).status).to.equal(200);
    expect((await call(devices, { headers: { authorization: 'Bearer wrong-token-1' } })).status).to.equal(401);
    expect((await call(devices)).status).to.equal(401);
    nowMs += 15_000;
    const refused = await call(devices, { headers: good });
    expect(refused.status).to.equal(429);
    expect(refused.headers['retry-after']).to.equal('45');
    expect(refused.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(JSON.parse(refused.body)).to.include({ status: 429, type: 'urn:mdm:problem:rate-limited' });
    expect((await call(devices, { headers: good, from: '127.0.0.2' })).status, 'another address').to.equal(200);
    expect((await call(`${base}/healthz`)).status, 'outside the API').to.equal(200);
    expect(rateLimited(metrics, 'admin-auth')).to.equal(1);
    nowMs += 45_000;
    expect((await call(devices, { headers: good })).status, 'a new minute').to.equal(200);
  });
});
