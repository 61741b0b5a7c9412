import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { writeSyntheticFleet, syntheticUdid } from '../../bench/support/synthetic-fleet.js';
import { tempDir } from '../support/temp-dir.js';

describe('the admin API on a running server', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  let store: SqliteEventStore | undefined;
  const logs: string[] = [];
  let head = 0;

  before(async () => {
    dir = tempDir();
    const seed = new SqliteEventStore(join(dir.path, 'events.db'));
    head = (await writeSyntheticFleet(seed, { devices: 5, eventsPerDevice: 30 })) > 0 ? (await seed.readAll({ after: 0, maxCount: 100_000 })).at(-1)!.position : 0;
    await seed.close();
    await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(
      loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_AUTOMATION: 'false' }),
      jsonLogger({ write: (line) => void logs.push(line) }),
    );
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    expect(await server.services.readModels.waitFor(head, 20_000)).to.equal(true);
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    dir?.remove();
  });

  const get = (path: string, token?: string) => fetch(`${server!.adminUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('writes an initial admin token once, private to the owner, and logs only where it is', async () => {
    const file = join(dir.path, 'initial-admin-token');
    // Written in the background once the store answers (it does at once here).
    for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(token).to.match(/^mdm_/);
    expect(logs.join('')).to.contain(file);
    expect(logs.join('')).not.to.contain(token);
    const res = await get('/api/v1/devices', token);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { devices: Array<{ udid: string }> };
    expect(body.devices.map((d) => d.udid)).to.deep.equal([0, 1, 2, 3, 4].map(syntheticUdid).sort());
  });

  it('refuses calls without a valid token (401) and roles a route does not allow (403), as problem details', async () => {
    const missing = await get('/api/v1/devices');
    expect(missing.status).to.equal(401);
    expect(missing.headers.get('www-authenticate')).to.match(/^Bearer/);
    expect(missing.headers.get('content-type')).to.contain('application/problem+json');
    expect((await get('/api/v1/devices', 'mdm_nosuch_token')).status).to.equal(401);

    const tokens = new ApiTokens(store!, systemClock);
    const operator = await tokens.create({ role: 'operator', name: 'ops' }, { kind: 'admin', id: 'test' });
    const auditor = await tokens.create({ role: 'auditor', name: 'audit' }, { kind: 'admin', id: 'test' });
    const gateway = await tokens.create({ role: 'gateway', name: 'vpn' }, { kind: 'admin', id: 'test' });
    expect((await get(`/api/v1/devices/${syntheticUdid(2)}`, operator.token)).status).to.equal(200);
    const refused = await get('/api/v1/audit', operator.token);
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('content-type')).to.contain('application/problem+json');
    expect((await get(`/api/v1/audit?udid=${syntheticUdid(2)}`, auditor.token)).status).to.equal(200);
    expect((await get('/api/v1/devices', gateway.token)).status).to.equal(403);
    const metrics = await (await fetch(`${server!.adminUrl}/metrics`)).text();
    expect(metrics).to.match(/^mdm_api_denied_total\{reason="forbidden-role"\} [1-9]/m);
    expect(metrics).to.match(/^mdm_api_denied_total\{reason="(missing|invalid)-token"\} [1-9]/m);
    // Health and metrics stay open to probes.
    expect((await get('/readyz')).status).to.equal(200);
  });
});
