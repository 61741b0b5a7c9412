import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bulkCommandUuid } from '../../application/commands/bulk-command-uuid.js';
import { Users } from '../../application/users/users.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { wifiProfile } from '../automation/profile-fixtures.js';
import { tempDir } from '../support/temp-dir.js';

describe('the admin command API on a running server', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  let store: SqliteEventStore | undefined;
  let admin = '';
  let operator = '';
  let auditor = '';
  let user1 = '';
  const logs: string[] = [];

  before(async () => {
    dir = tempDir();
    const seed = new SqliteEventStore(join(dir.path, 'events.db'));
    await writeSyntheticFleet(seed, { devices: 4, eventsPerDevice: 12 });
    await seed.close();
    await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(
      loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_AUTOMATION: 'false', MDM_ADMIN_TOKEN: 'bootstrap-admin-token-for-tests', MDM_SELF_SERVICE_MAX_PER_HOUR: '3' }),
      jsonLogger({ write: (line) => void logs.push(line) }),
    );
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    admin = 'bootstrap-admin-token-for-tests';
    const tokens = new ApiTokens(store, systemClock);
    const by = { kind: 'admin', id: 'test' } as const;
    operator = (await tokens.create({ role: 'operator', name: 'ops' }, by)).token;
    auditor = (await tokens.create({ role: 'auditor', name: 'audit' }, by)).token;
    // Synthetic device i is enrolled for user(i % 5000).
    user1 = (await tokens.create({ role: 'user', name: 'user1', username: 'user1' }, by)).token;
    expect(await server.services.readModels.waitFor(await lastPosition(), 20_000)).to.equal(true);
  });
  after(async () => {
    await store?.close();
    await server?.stop();
    dir?.remove();
  });

  const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server!.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
    });
  async function lastPosition(): Promise<number> {
    let after = 0;
    for (;;) {
      const page = await store!.readAll({ after, maxCount: 10_000 });
      if (page.length === 0) return after;
      after = page.at(-1)!.position;
    }
  }

  it('queues a command on one device, shows it in the live queue, and cancels it', async () => {
    const udid = syntheticUdid(1);
    const res = await call('POST', `/api/v1/devices/${udid}/commands`, operator, { request: { requestType: 'DeviceInformation', Queries: ['OSVersion'] } });
    expect(res.status).to.equal(202);
    const queued = (await res.json()) as { commandUuid: string; outcome: string };
    expect(queued.outcome).to.equal('queued');
    const queue = (await (await call('GET', `/api/v1/devices/${udid}/queue`, auditor)).json()) as { commands: Array<{ commandUuid: string; requestType: string }> };
    expect(queue.commands.map((c) => c.commandUuid)).to.include(queued.commandUuid);
    const events = await store!.readStream(`device-${udid}`);
    const recorded = events.find((e) => e.type === 'CommandQueued' && (e.data as { commandUuid: string }).commandUuid === queued.commandUuid)!;
    expect(recorded.metadata.actor).to.deep.equal({ kind: 'operator', id: `ops (${recorded.metadata.actor!.id.slice(5, 13)})` });

    expect((await call('DELETE', `/api/v1/devices/${udid}/commands/${queued.commandUuid}`, operator)).status).to.equal(204);
    const again = await call('DELETE', `/api/v1/devices/${udid}/commands/${queued.commandUuid}`, operator);
    expect(again.status).to.equal(409);
    expect(((await again.json()) as { type: string }).type).to.equal('urn:mdm:problem:command-finished');
    expect((await call('DELETE', `/api/v1/devices/${udid}/commands/${randomUUID()}`, operator)).status).to.equal(404);
  });

  it('answers a repeated Idempotency-Key with the first answer, and refuses the key for another request', async () => {
    const udid = syntheticUdid(2);
    const key = `key-${randomUUID()}`;
    const body = { request: { requestType: 'SecurityInfo' } };
    const first = await call('POST', `/api/v1/devices/${udid}/commands`, operator, body, { 'idempotency-key': key });
    expect(first.status).to.equal(202);
    const firstBody = await first.json();
    const before = await lastPosition();
    const second = await call('POST', `/api/v1/devices/${udid}/commands`, operator, body, { 'idempotency-key': key });
    expect(second.status).to.equal(202);
    expect(second.headers.get('idempotent-replayed')).to.equal('true');
    expect(await second.json()).to.deep.equal(firstBody);
    expect(await lastPosition()).to.equal(before);
    const other = await call('POST', `/api/v1/devices/${udid}/commands`, operator, { request: { requestType: 'DeviceInformation', Queries: ['UDID'] } }, { 'idempotency-key': key });
    expect(other.status).to.equal(422);
    expect(((await other.json()) as { type: string }).type).to.equal('urn:mdm:problem:idempotency-key-reused');
    // Keys are per caller: the same key from another token is another request.
    expect((await call('POST', `/api/v1/devices/${udid}/commands`, admin, body, { 'idempotency-key': key })).status).to.equal(202);
  });

  it('refuses bad bodies with 4xx problem details and appends nothing', async () => {
    const path = `/api/v1/devices/${syntheticUdid(1)}/commands`;
    const before = await lastPosition();
    const cases: Array<[string, unknown, Record<string, string>, number, string]> = [
      ['malformed JSON', '{"request": {', { 'content-type': 'application/json' }, 400, 'urn:mdm:problem:malformed-json'],
      ['a wrong type', { request: { requestType: 'DeviceLock' }, priority: 'high' }, {}, 400, 'urn:mdm:problem:invalid-body'],
      ['an unknown member', { request: { requestType: 'DeviceLock' }, urgent: true }, {}, 400, 'urn:mdm:problem:invalid-body'],
      ['an unknown request type', { request: { requestType: 'SelfDestruct' } }, {}, 400, 'urn:mdm:problem:invalid-body'],
      ['no body', undefined, {}, 400, 'urn:mdm:problem:invalid-body'],
      ['another media type', 'requestType=DeviceLock', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'urn:mdm:problem:unsupported-media-type'],
      ['an oversize body', JSON.stringify({ request: { requestType: 'DeviceLock', Message: 'x'.repeat(300_000) } }), { 'content-type': 'application/json' }, 413, 'urn:mdm:problem:body-too-large'],
      ['an invalid parameter', { request: { requestType: 'DeviceLock', PIN: '12' } }, {}, 422, 'urn:mdm:problem:invalid-command'],
    ];
    for (const [name, body, headers, status, type] of cases) {
      const res = await call('POST', path, operator, body, headers);
      expect(res.status, name).to.equal(status);
      expect(res.headers.get('content-type'), name).to.contain('application/problem+json');
      expect(((await res.json()) as { type: string }).type, name).to.equal(type);
    }
    const unknown = (await (await call('POST', path, operator, { request: { requestType: 'DeviceLock' }, urgent: true })).json()) as { errors: Array<{ pointer: string }> };
    expect(unknown.errors.map((e) => e.pointer)).to.deep.equal(['/urgent']);
    expect(await lastPosition()).to.equal(before);
  });

  it('guards group changes with ETag and If-Match (428 without, 412 when stale)', async () => {
    const created = await call('POST', '/api/v1/groups', operator, { name: 'sales', description: 'Sales team' });
    expect(created.status).to.equal(201);
    const etag = created.headers.get('etag')!;
    expect(etag).to.match(/^"\d+"$/);
    expect((await call('PATCH', '/api/v1/groups/sales', operator, { quarantine: true })).status).to.equal(428);
    const changed = await call('PATCH', '/api/v1/groups/sales', operator, { quarantine: true }, { 'if-match': etag });
    expect(changed.status).to.equal(200);
    expect(((await changed.json()) as { quarantine: boolean }).quarantine).to.equal(true);
    const newTag = changed.headers.get('etag')!;
    expect(newTag).not.to.equal(etag);
    const before = await lastPosition();
    const stale = await call('PATCH', '/api/v1/groups/sales', operator, { quarantine: false }, { 'if-match': etag });
    expect(stale.status).to.equal(412);
    expect(((await stale.json()) as { currentEtag: string }).currentEtag).to.equal(newTag);
    expect(await lastPosition()).to.equal(before);
    expect((await call('GET', '/api/v1/groups/sales', auditor)).headers.get('etag')).to.equal(newTag);
    expect((await call('POST', '/api/v1/groups', operator, { name: 'sales' })).status).to.equal(409);
    expect((await call('DELETE', '/api/v1/groups/sales', operator, undefined, { 'if-match': newTag })).status).to.equal(204);
  });

  it('defines, changes and retires a compliance policy under If-Match', async () => {
    const created = await call('POST', '/api/v1/policies', operator, { policyId: 'baseline', name: 'Baseline', rules: [{ type: 'passcode-required' }] });
    expect(created.status).to.equal(201);
    const etag = created.headers.get('etag')!;
    const bad = await call('PATCH', '/api/v1/policies/baseline', operator, { rules: [{ type: 'no-such-rule' }] }, { 'if-match': etag });
    expect(bad.status).to.equal(422);
    const renamed = await call('PATCH', '/api/v1/policies/baseline', operator, { name: 'Baseline v2' }, { 'if-match': etag });
    expect(renamed.status).to.equal(200);
    expect((await call('DELETE', '/api/v1/policies/baseline', operator, undefined, { 'if-match': etag })).status).to.equal(412);
    const retired = await call('DELETE', '/api/v1/policies/baseline', operator, undefined, { 'if-match': renamed.headers.get('etag')! });
    expect(retired.status).to.equal(200);
    expect(((await retired.json()) as { retired: boolean }).retired).to.equal(true);
  });

  it('lets a user see and lock only their own devices, within the allowed commands and rate', async () => {
    const own = syntheticUdid(1);
    const other = syntheticUdid(2);
    const list = (await (await call('GET', '/api/v1/devices', user1)).json()) as { devices: Array<{ udid: string }> };
    expect(list.devices.map((d) => d.udid)).to.deep.equal([own]);
    expect((await call('GET', `/api/v1/devices?user=user2`, user1)).status).to.equal(200);
    expect(((await (await call('GET', '/api/v1/devices?user=user2', user1)).json()) as { devices: unknown[] }).devices).to.have.length(1);
    expect((await call('GET', `/api/v1/devices/${other}`, user1)).status).to.equal(404);
    expect((await call('GET', `/api/v1/devices/${other}/commands`, user1)).status).to.equal(404);
    expect((await call('POST', `/api/v1/devices/${other}/commands`, user1, { request: { requestType: 'DeviceLock' } })).status).to.equal(404);
    const erase = await call('POST', `/api/v1/devices/${own}/commands`, user1, { request: { requestType: 'EraseDevice' } });
    expect(erase.status).to.equal(403);
    expect((await call('POST', `/api/v1/devices/${own}/commands`, user1, { request: { requestType: 'DeviceInformation', Queries: ['UDID'] } })).status).to.equal(403);
    expect((await call('GET', '/api/v1/audit', user1)).status).to.equal(403);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('POST', `/api/v1/devices/${own}/commands`, user1, { request: { requestType: 'DeviceLock', Message: `lost ${i}` } })).status);
    expect(statuses).to.deep.equal([202, 202, 202, 429]);
    const limited = await call('POST', `/api/v1/devices/${own}/commands`, user1, { request: { requestType: 'DeviceLock' } });
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
    const locks = (await store!.readStream(`device-${own}`)).filter((e) => e.type === 'CommandQueued' && (e.data as { request: { requestType: string } }).request.requestType === 'DeviceLock');
    expect(locks).to.have.length(3);
    expect(locks.every((e) => e.metadata.actor?.kind === 'user' && e.metadata.actor.id === 'user1')).to.equal(true);
  });

  it('signs a person from the user store in, with a token that sees only their devices', async () => {
    const key = await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: false });
    await new Users(store!, new AesGcmSecretBox(key.key), systemClock).add({ username: 'user1', password: 'correct horse battery', actor: { kind: 'admin', id: 'test' } });
    const signIn = (password: string) => fetch(`${server!.adminUrl}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'user1', password }) });
    const wrong = await signIn('wrong horse');
    expect(wrong.status).to.equal(401);
    expect(wrong.headers.get('content-type')).to.contain('application/problem+json');
    const res = await signIn('correct horse battery');
    expect(res.status).to.equal(201);
    const session = (await res.json()) as { token: string; role: string; expiresAt: string };
    expect(session.role).to.equal('user');
    expect(Date.parse(session.expiresAt) - Date.now()).to.be.within(23 * 3_600_000, 25 * 3_600_000);
    const list = (await (await call('GET', '/api/v1/devices', session.token)).json()) as { devices: Array<{ udid: string }> };
    expect(list.devices.map((d) => d.udid)).to.deep.equal([syntheticUdid(1)]);
    expect((await call('GET', '/api/v1/groups', session.token)).status).to.equal(403);
    expect(logs.join('')).not.to.contain('correct horse battery');
  });

  it('creates enrollment and API tokens whose secrets appear only in the answer', async () => {
    const res = await call('POST', '/api/v1/enrollment-tokens', operator, { maxUses: 5, group: 'sales' });
    expect(res.status).to.equal(201);
    const created = (await res.json()) as { tokenId: string; token: string; url: string };
    expect(created.url).to.match(new RegExp(`/enroll/${created.token.replace('.', '\\.')}$`));
    const described = (await (await call('GET', `/api/v1/enrollment-tokens/${created.tokenId}`, auditor)).json()) as Record<string, unknown>;
    expect(described['maxUses']).to.equal(5);
    expect(JSON.stringify(described)).not.to.contain('secretHash');
    expect((await call('DELETE', `/api/v1/enrollment-tokens/${created.tokenId}`, operator)).status).to.equal(204);

    // Only admins manage API tokens.
    expect((await call('POST', '/api/v1/tokens', operator, { role: 'admin', name: 'escalate' })).status).to.equal(403);
    const key = randomUUID();
    const made = await call('POST', '/api/v1/tokens', admin, { role: 'auditor', name: 'external audit' }, { 'idempotency-key': key });
    expect(made.status).to.equal(201);
    const token = ((await made.json()) as { token: string }).token;
    const replayed = (await (await call('POST', '/api/v1/tokens', admin, { role: 'auditor', name: 'external audit' }, { 'idempotency-key': key })).json()) as { token: string };
    expect(replayed.token).to.equal(token);
    expect((await call('GET', '/api/v1/audit?limit=1', token)).status).to.equal(200);
    const raw = readFileSync(join(dir.path, 'events.db'));
    for (const secret of [created.token.split('.')[1]!, token.split('_').slice(2).join('_')]) expect(raw.includes(Buffer.from(secret)), 'secret in the event store').to.equal(false);
    expect(logs.join('')).not.to.contain(token);
  });

  it('uploads a profile to the library and assigns it to a group', async () => {
    await call('POST', '/api/v1/groups', operator, { name: 'wifi' });
    const bytes = wifiProfile({ identifier: 'com.example.api-wifi' });
    const res = await call('POST', '/api/v1/profiles', operator, bytes, { 'content-type': 'application/x-apple-aspen-config' });
    expect(res.status).to.equal(201);
    const profile = (await res.json()) as { sha256: string; payloadIdentifier: string };
    expect(profile.payloadIdentifier).to.equal('com.example.api-wifi');
    expect((await call('POST', '/api/v1/profiles', operator, bytes, { 'content-type': 'application/x-apple-aspen-config' })).status).to.equal(200);
    expect((await call('POST', '/api/v1/profiles', operator, Buffer.from('not a profile'), { 'content-type': 'application/x-apple-aspen-config' })).status).to.equal(422);
    const assigned = await call('POST', '/api/v1/groups/wifi/profiles', operator, { profile: profile.sha256.slice(0, 10) });
    expect(assigned.status).to.equal(200);
    expect(((await assigned.json()) as { profiles: Array<{ sha256: string }> }).profiles.map((p) => p.sha256)).to.deep.equal([profile.sha256]);
    expect((await call('DELETE', `/api/v1/profiles/${profile.sha256}`, operator)).status).to.equal(409);
    const shown = (await (await call('GET', `/api/v1/profiles/${profile.sha256.slice(0, 8)}`, auditor)).json()) as { assignedTo: string[] };
    expect(shown.assignedTo).to.deep.equal(['wifi']);
  });

  it('queues one command on a group, a selection or a list with one bulk request, and reports its progress', async () => {
    await call('POST', '/api/v1/groups', operator, { name: 'bulk-pair' });
    for (const i of [0, 3]) expect((await call('PUT', `/api/v1/groups/bulk-pair/devices/${syntheticUdid(i)}`, operator)).status).to.equal(200);
    const waitDone = async (bulkId: string) => {
      for (let i = 0; i < 100; i++) {
        const view = (await (await call('GET', `/api/v1/commands/${bulkId}`, auditor)).json()) as { status: string; queued: number; alreadyQueued: number; refused: Array<{ udid: string; code: string }> };
        if (view.status === 'completed') return view;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`bulk ${bulkId} did not complete`);
    };
    const key = randomUUID();
    const grouped = await call('POST', '/api/v1/commands', operator, { target: { group: 'bulk-pair' }, request: { requestType: 'ProfileList' } }, { 'idempotency-key': key });
    expect(grouped.status).to.equal(202);
    const { bulkId } = (await grouped.json()) as { bulkId: string };
    expect(grouped.headers.get('location')).to.equal(`/api/v1/commands/${bulkId}`);
    expect((await waitDone(bulkId)).queued).to.equal(2);
    for (const i of [0, 3]) {
      const commandUuid = bulkCommandUuid(bulkId, syntheticUdid(i));
      const queued = (await store!.readStream(`device-${syntheticUdid(i)}`)).filter((e) => e.type === 'CommandQueued' && (e.data as { commandUuid: string }).commandUuid === commandUuid);
      expect(queued, `device ${i}`).to.have.length(1);
    }
    // The same request again under its key is the same bulk, not a second fan-out.
    const again = (await (await call('POST', '/api/v1/commands', operator, { target: { group: 'bulk-pair' }, request: { requestType: 'ProfileList' } }, { 'idempotency-key': key })).json()) as { bulkId: string };
    expect(again.bulkId).to.equal(bulkId);

    const selected = (await (await call('POST', '/api/v1/commands', operator, { target: { selection: { filter: { user: 'user2' } } }, request: { requestType: 'CertificateList' } })).json()) as { bulkId: string; total: number };
    expect(selected.total).to.equal(1);
    expect((await waitDone(selected.bulkId)).queued).to.equal(1);

    const listed = (await (await call('POST', '/api/v1/commands', operator, { target: { udids: [syntheticUdid(1), 'NOT-ENROLLED-0001'] }, request: { requestType: 'SecurityInfo' } })).json()) as { bulkId: string };
    const done = await waitDone(listed.bulkId);
    expect(done.refused.map((r) => r.udid)).to.deep.equal(['NOT-ENROLLED-0001']);

    expect((await call('POST', '/api/v1/commands', operator, { target: { selection: { filter: { noSuchField: 1 } } }, request: { requestType: 'SecurityInfo' } })).status).to.equal(400);
    expect((await call('POST', '/api/v1/commands', operator, { target: { group: 'bulk-pair', udids: [syntheticUdid(1)] }, request: { requestType: 'SecurityInfo' } })).status).to.equal(400);
    expect((await call('POST', '/api/v1/commands', operator, { target: { selection: { filter: { user: 'nobody' } } }, request: { requestType: 'SecurityInfo' } })).status).to.equal(422);
    const recent = (await (await call('GET', '/api/v1/commands?limit=2', auditor)).json()) as { commands: Array<{ bulkId: string }> };
    expect(recent.commands.map((c) => c.bulkId)).to.deep.equal([listed.bulkId, selected.bulkId]);
  });

  it('shows a device as it stood at a time, to auditors', async () => {
    const udid = syntheticUdid(3);
    const res = await call('GET', `/api/v1/devices/${udid}/state?at=${encodeURIComponent(new Date().toISOString())}`, auditor);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { udid: string; revision: number; state: Record<string, unknown> };
    expect(body.udid).to.equal(udid);
    expect(body.revision).to.be.greaterThan(0);
    expect((await call('GET', `/api/v1/devices/${udid}/state?at=1990-01-01T00:00:00Z`, auditor)).status).to.equal(404);
    expect((await call('GET', `/api/v1/devices/${udid}/state?at=yesterday`, auditor)).status).to.equal(400);
    expect((await call('GET', `/api/v1/devices/${udid}/state?at=${encodeURIComponent(new Date().toISOString())}`, operator)).status).to.equal(403);
  });
});
