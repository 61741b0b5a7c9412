import { expect } from 'chai';
import express from 'express';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { apiAuth, principalOf, type AuthDenial } from '../../infrastructure/http/admin/api-auth.js';
import { ensureInitialAdminToken, initialAdminTokenFile } from '../../infrastructure/http/admin/bootstrap-admin-token.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { tempDir } from '../support/temp-dir.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';

const admin = { kind: 'admin' as const, id: 'alice' };
const BOOTSTRAP = 'bootstrap-admin-token-0123456789';

describe('admin API authentication', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let tokens: ApiTokens;
  let server: Server;
  let base: string;
  let denials: AuthDenial[];
  beforeEach(async () => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    tokens = new ApiTokens(store, systemClock);
    denials = [];
    const auth = apiAuth({ tokens, bootstrapToken: BOOTSTRAP, onDenied: (d) => denials.push(d) });
    const app = express();
    app.use('/api', auth.authenticate);
    app.get('/api/devices', auth.requireRole('operator', 'auditor'), (_req, res) => res.json(principalOf(res)));
    app.post('/api/leases', auth.requireRole('gateway'), (_req, res) => res.json(principalOf(res)));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    dir.remove();
  });
  const call = (path: string, token?: string, method = 'GET') => fetch(`${base}${path}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it('401 problem details with WWW-Authenticate: Bearer without a token or with a bad one', async () => {
    for (const token of [undefined, 'nonsense', `mdm_${'0'.repeat(32)}_${'A'.repeat(43)}`]) {
      const r = await call('/api/devices', token);
      expect(r.status, String(token)).to.equal(401);
      expect(r.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(r.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(await r.json()).to.deep.include({ status: 401 });
    }
    const basic = await fetch(`${base}/api/devices`, { headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    expect(basic.status).to.equal(401);
    // Reported once per address and reason within the window.
    expect(denials.map((d) => d.reason)).to.deep.equal(['missing-token', 'invalid-token']);
    expect(denials[0]).to.deep.include({ status: 401, method: 'GET', route: '/api/devices' });
    expect(denials[0]!.remoteAddress).to.match(/127\.0\.0\.1$/);
  });

  it('403 for a role not allowed, 200 for an allowed one; admin may do everything', async () => {
    const operator = await tokens.create({ role: 'operator', name: 'ops' }, admin);
    const gateway = await tokens.create({ role: 'gateway', name: 'vpn' }, admin);
    const administrator = await tokens.create({ role: 'admin', name: 'root' }, admin);
    const ok = await call('/api/devices', operator.token);
    expect(ok.status).to.equal(200);
    expect(await ok.json()).to.deep.equal({ tokenId: operator.tokenId, role: 'operator', name: 'ops' });
    const refused = await call('/api/devices', gateway.token);
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await refused.json()).to.deep.include({ status: 403 });
    expect(denials.at(-1)).to.deep.include({ status: 403, reason: 'forbidden-role' });
    expect(denials.at(-1)!.principal).to.deep.include({ role: 'gateway' });
    expect((await call('/api/leases', gateway.token, 'POST')).status).to.equal(200);
    expect((await call('/api/leases', operator.token, 'POST')).status).to.equal(403);
    expect((await call('/api/leases', administrator.token, 'POST')).status).to.equal(200);
    expect((await call('/api/devices', administrator.token)).status).to.equal(200);
  });

  it('a revoked token gets 401 at once', async () => {
    const t = await tokens.create({ role: 'auditor', name: 'audit' }, admin);
    expect((await call('/api/devices', t.token)).status).to.equal(200);
    await tokens.revoke(t.tokenId, admin);
    expect((await call('/api/devices', t.token)).status).to.equal(401);
  });

  it('MDM_ADMIN_TOKEN authenticates as admin; anything close to it does not', async () => {
    const r = await call('/api/leases', BOOTSTRAP, 'POST');
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ tokenId: 'bootstrap', role: 'admin', name: 'MDM_ADMIN_TOKEN' });
    expect((await call('/api/devices', `${BOOTSTRAP}x`)).status).to.equal(401);
    expect((await call('/api/devices', BOOTSTRAP.slice(0, -1))).status).to.equal(401);
  });
});

describe('initial admin token file', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  eachSqliteStore((s, d) => {
    store = s;
    dir = d;
  });

  it('is written once (0600) with a working admin token; the log names the file, never the token', async () => {
    const lines: string[] = [];
    const logger = jsonLogger({ level: 'debug', write: (line) => lines.push(line) });
    const tokens = new ApiTokens(store, systemClock);
    const dataDir = join(dir.path, 'data');
    await ensureInitialAdminToken({ dataDir }, tokens, logger);
    const file = initialAdminTokenFile(dataDir);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(await tokens.authenticate(token)).to.deep.include({ role: 'admin' });
    expect(lines.join('')).to.contain(file);
    // Second start: the file stays as it is, and no second token is made.
    await ensureInitialAdminToken({ dataDir }, new ApiTokens(store, systemClock), logger);
    expect(readFileSync(file, 'utf8').trim()).to.equal(token);
    expect(await tokens.list()).to.have.length(1);
    const secret = token.split('_').slice(2).join('_');
    for (const line of lines) expect(line).not.to.contain(secret);
  });

  it('is not written when MDM_ADMIN_TOKEN is set, and never replaces an existing file', async () => {
    const tokens = new ApiTokens(store, systemClock);
    const logger = jsonLogger({ level: 'debug', write: () => {} });
    await ensureInitialAdminToken({ dataDir: dir.path, adminToken: BOOTSTRAP }, tokens, logger);
    expect(() => statSync(initialAdminTokenFile(dir.path))).to.throw(/ENOENT/);
    writeFileSync(initialAdminTokenFile(dir.path), 'kept\n', { mode: 0o600 });
    await ensureInitialAdminToken({ dataDir: dir.path }, tokens, logger);
    expect(readFileSync(initialAdminTokenFile(dir.path), 'utf8')).to.equal('kept\n');
    expect(await tokens.list()).to.deep.equal([]);
  });
});
