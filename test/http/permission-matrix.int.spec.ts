import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import type { ApiRole } from '../../domain/api-token/api-token.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Who may call what, written out here on its own rather than read from the routes: a route whose
 * roles change, or a new route nobody placed in this table, fails the test. Admins may call
 * everything; the roles listed are the others allowed.
 */
const EXPECTED: Readonly<Record<string, readonly ApiRole[]>> = {
  'GET /api/v1/devices': ['operator', 'auditor', 'user'],
  'GET /api/v1/devices/{udid}': ['operator', 'auditor', 'user'],
  'GET /api/v1/devices/{udid}/commands': ['operator', 'auditor', 'user'],
  'POST /api/v1/devices/{udid}/commands': ['operator', 'user'],
  'DELETE /api/v1/devices/{udid}/commands/{commandUuid}': ['operator'],
  'GET /api/v1/devices/{udid}/queue': ['operator', 'auditor', 'user'],
  'GET /api/v1/devices/{udid}/compliance': ['operator', 'auditor', 'user'],
  'GET /api/v1/devices/{udid}/state': ['auditor'],
  'POST /api/v1/devices/{udid}/unenroll': ['operator'],
  'POST /api/v1/commands': ['operator'],
  'GET /api/v1/commands': ['operator', 'auditor'],
  'GET /api/v1/commands/{bulkId}': ['operator', 'auditor'],
  'POST /api/v1/quarantine/{target}/approve': ['operator'],
  'POST /api/v1/quarantine/{target}/reject': ['operator'],
  'GET /api/v1/compliance': ['operator', 'auditor'],
  'GET /api/v1/compliance/devices': ['operator', 'auditor'],
  'GET /api/v1/audit': ['auditor'],
  'GET /api/v1/events': ['auditor'],
  'GET /api/v1/projections': ['operator', 'auditor'],
  'GET /api/v1/groups': ['operator', 'auditor'],
  'POST /api/v1/groups': ['operator'],
  'GET /api/v1/groups/{name}': ['operator', 'auditor'],
  'PATCH /api/v1/groups/{name}': ['operator'],
  'DELETE /api/v1/groups/{name}': ['operator'],
  'PUT /api/v1/groups/{name}/devices/{udid}': ['operator'],
  'DELETE /api/v1/groups/{name}/devices/{udid}': ['operator'],
  'POST /api/v1/groups/{name}/profiles': ['operator'],
  'DELETE /api/v1/groups/{name}/profiles/{sha256}': ['operator'],
  'GET /api/v1/policies': ['operator', 'auditor'],
  'POST /api/v1/policies': ['operator'],
  'GET /api/v1/policies/{policyId}': ['operator', 'auditor'],
  'PATCH /api/v1/policies/{policyId}': ['operator'],
  'DELETE /api/v1/policies/{policyId}': ['operator'],
  'GET /api/v1/profiles': ['operator', 'auditor'],
  'POST /api/v1/profiles': ['operator'],
  'GET /api/v1/profiles/{reference}': ['operator', 'auditor'],
  'DELETE /api/v1/profiles/{reference}': ['operator'],
  'POST /api/v1/enrollment-tokens': ['operator'],
  'GET /api/v1/enrollment-tokens/{tokenId}': ['operator', 'auditor'],
  'DELETE /api/v1/enrollment-tokens/{tokenId}': ['operator'],
  'GET /api/v1/tokens': [],
  'POST /api/v1/tokens': [],
  'DELETE /api/v1/tokens/{tokenId}': [],
  'GET /api/v1/push-certificate': ['operator', 'auditor'],
  'PUT /api/v1/push-certificate': [],
};

const ROLES: readonly ApiRole[] = ['admin', 'operator', 'auditor', 'gateway', 'user'];

/** Path parameters that name nothing in particular: the call must get past authorization, no further. */
const PARAMS: Readonly<Record<string, string>> = {
  udid: syntheticUdid(1),
  commandUuid: randomUUID(),
  target: 'no-such-enrollment',
  name: 'matrix-none',
  sha256: '0'.repeat(64),
  policyId: 'matrix-none',
  reference: 'abcdef',
  tokenId: '0'.repeat(32),
  bulkId: randomUUID(),
};

describe('the admin API permission matrix: every role against every route', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  let store: SqliteEventStore | undefined;
  const tokens = new Map<ApiRole, string>();

  before(async () => {
    dir = tempDir();
    const seed = new SqliteEventStore(join(dir.path, 'events.db'));
    await writeSyntheticFleet(seed, { devices: 3, eventsPerDevice: 10 });
    await seed.close();
    await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(
      loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_AUTOMATION: 'false',
        // Every route is also called without a token: the per-address limit on such failures would otherwise cut in.
        MDM_RATE_LIMIT_ADMIN_AUTH_FAILURES_PER_MINUTE: '0' }),
      jsonLogger({ write: () => undefined }),
    );
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    const api = new ApiTokens(store, systemClock);
    for (const role of ROLES) tokens.set(role, (await api.create({ role, name: `matrix ${role}`, ...(role === 'user' ? { username: 'user1' } : {}) }, { kind: 'admin', id: 'test' })).token);
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    dir?.remove();
  });

  it('documents exactly the routes of the table', async () => {
    const doc = (await (await fetch(`${server!.adminUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // Signing in is the one route without a token (tested on its own).
    expect(documented).to.deep.equal([...Object.keys(EXPECTED), 'POST /api/v1/sessions'].sort());
  });

  for (const [route, allowed] of Object.entries(EXPECTED)) {
    it(`${route}: ${['admin', ...allowed].join(', ')}`, async () => {
      const [method, template] = route.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => PARAMS[name]!);
      for (const role of ROLES) {
        // An empty JSON body: the allowed get as far as validation (4xx), the others are stopped before it.
        const res = await fetch(`${server!.adminUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${tokens.get(role)}`, ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
        });
        await res.arrayBuffer();
        const may = role === 'admin' || allowed.includes(role);
        // Never a crash, whatever the role: an empty body or unknown names are the caller's mistakes.
        expect(res.status, `${role} ${route}`).not.to.equal(500);
        if (may) expect([401, 403], `${role} ${route} answered ${res.status}`).not.to.include(res.status);
        else {
          expect(res.status, `${role} ${route}`).to.equal(403);
          expect(res.headers.get('content-type'), `${role} ${route}`).to.contain('application/problem+json');
        }
      }
      // Without a token, nobody gets in.
      const anonymous = await fetch(`${server!.adminUrl}${path}`, { method });
      expect(anonymous.status).to.equal(401);
    });
  }

  it('records denied calls as events: who, what and when', async () => {
    const found = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found.push(...(await store!.readStream(`api-access-denied-${new Date().toISOString().slice(0, 10)}`)));
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    const data = found.map((e) => e.data as { reason: string; method: string; route: string; role?: string; tokenId?: string; deniedAt: string });
    expect(data.some((d) => d.reason === 'forbidden-role' && d.role === 'gateway' && d.tokenId !== undefined && d.route.startsWith('/api/v1/'))).to.equal(true);
    expect(data.some((d) => d.reason === 'missing-token')).to.equal(true);
    expect(JSON.stringify(data)).not.to.contain('mdm_');
  });
});
