import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { PROJECTION_SHARDS, READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { asDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';
import { allEvents, lastPosition } from './read-model-fixture.js';

describe('the server keeps the read models', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  let device: TestDevice | undefined;
  let reader: SqliteEventStore | undefined;
  let fleet: number;

  before(async () => {
    dir = tempDir();
    // Events from before the read models existed: the server folds them in the background.
    const seed = new SqliteEventStore(join(dir.path, 'events.db'));
    fleet = await writeSyntheticFleet(seed, { devices: 8, eventsPerDevice: 40 });
    await seed.close();
    const ca = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(
      loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_AUTOMATION: 'false' }),
      jsonLogger({ write: () => undefined }),
    );
    const udid = `0000${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const identity = await issueDeviceIdentity({ ca } as unknown as TestCa, udid);
    device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: ca.certificatePem(), udid, certPem: identity.certPem, keyPem: identity.keyPem, auth: 'signature' });
    reader = new SqliteEventStore(join(dir.path, 'events.db'));
  });
  after(async () => {
    device?.close();
    await reader?.close();
    await server?.stop();
    dir?.remove();
  });

  it('a device that enrolls and answers shows in the inventory, its command history and the audit trail', async () => {
    const { readModels, commandQueue } = server!.services;
    const udid = device!.udid;
    expect((await device!.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.read-models', SerialNumber: 'F2LXK0XXHG7F', Model: 'iPhone14,5', OSVersion: '17.4', ProductName: 'iPhone14,5', DeviceName: 'Test iPhone' })).status).to.equal(200);
    expect((await device!.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.read-models', Token: Buffer.from('abcd', 'hex'), PushMagic: 'magic' })).status).to.equal(200);
    const commandUuid = randomUUID();
    expect(await commandQueue.enqueue([udid], { requestType: 'DeviceInformation', Queries: ['DeviceName', 'OSVersion', 'BatteryLevel'] }, { commandUuid, actor: { kind: 'admin', id: 'alice' } })).to.deep.equal([{ udid, outcome: 'queued' }]);
    const idle = await device!.report({ Status: 'Idle' });
    expect(getString(asDict(parsePlist(idle.body)), 'CommandUUID')).to.equal(commandUuid);
    const done = await device!.report({ Status: 'Acknowledged', CommandUUID: commandUuid, QueryResponses: { DeviceName: 'Read Model iPhone', OSVersion: '17.5.1', BatteryLevel: 0.42 } });
    expect(done.status).to.equal(200);

    // Read-your-writes: the last event the server wrote, then the read models.
    const head = await lastPosition(reader!);
    expect(head).to.be.greaterThan(fleet);
    expect(await readModels.waitFor(head, 20_000)).to.equal(true);
    const doc = await readModels.inventory.get(udid);
    expect(doc).to.deep.include({ udid, deviceName: 'Read Model iPhone', osVersion: '17.5.1', batteryLevel: 0.42, serialNumber: 'F2LXK0XXHG7F', enrollmentState: 'enrolled' });
    expect((await readModels.inventory.list({ limit: 100 })).devices.length).to.equal(9);
    const history = await readModels.commandHistory.forDevice(udid);
    expect(history.commands).to.have.length(1);
    expect(history.commands[0]).to.deep.include({ commandUuid, requestType: 'DeviceInformation', status: 'acknowledged', queuedBy: 'admin:alice', deliveries: 1 });
    const trail = await readModels.audit.list({ udid, order: 'asc' });
    expect(trail.entries.map((e) => e.type)).to.include.members(['DeviceEnrolled', 'CommandQueued', 'CommandAcknowledged']);
    for (const status of readModels.status()) expect(status, status.name).to.deep.include({ state: 'running', position: head, lagEvents: 0 });
  });

  it('reports projection lag and position on /metrics and answers /readyz/projections', async () => {
    const head = await lastPosition(reader!);
    expect(await server!.services.readModels.waitFor(head, 20_000)).to.equal(true);
    const metrics = await (await fetch(`${server!.adminUrl}/metrics`)).text();
    for (const { name } of READ_MODEL_PROJECTIONS) {
      expect(metrics, name).to.match(new RegExp(`^mdm_projection_lag_events\\{projection="${name}"\\} 0$`, 'm'));
      expect(metrics, name).to.match(new RegExp(`^mdm_projection_position\\{projection="${name}"\\} ${head}$`, 'm'));
      expect(metrics, name).to.match(new RegExp(`^mdm_projection_failed\\{projection="${name}"\\} 0$`, 'm'));
    }
    const total = (await allEvents(reader!)).length;
    for (const shard of PROJECTION_SHARDS) {
      const folded = new RegExp(`^mdm_projection_events_total\\{shard="${shard.name}"\\} (\\d+)$`, 'm').exec(metrics);
      expect(Number(folded?.[1]), `every event folded once by shard ${shard.name}`).to.equal(total);
    }

    const ready = await fetch(`${server!.adminUrl}/readyz/projections`);
    expect(ready.status).to.equal(200);
    const body = (await ready.json()) as { status: string; projections: Array<{ name: string; state: string }> };
    expect(body.status).to.equal('ready');
    expect(body.projections.map((p) => [p.name, p.state])).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => [p.name, 'running']));
    expect((await fetch(`${server!.adminUrl}/readyz/projections?maxLagSeconds=0`)).status).to.equal(200);
    for (const bad of ['abc', '-1', '86401', '1e3']) {
      const refused = await fetch(`${server!.adminUrl}/readyz/projections?maxLagSeconds=${bad}`);
      expect(refused.status, bad).to.equal(400);
      expect(refused.headers.get('content-type')).to.contain('application/problem+json');
    }
  });
});
