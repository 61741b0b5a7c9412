import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdb-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { verifyStreamChain } from '../../application/event-integrity.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { startEsdbStandin, type EsdbStandin } from '../support/esdb-standin.js';
import { issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

/**
 * The same protocol on the production store: the server on EventStoreDB (the gRPC stand-in that
 * speaks the client's real protocol), with a second server process's view simulated by a second
 * client reading the streams.
 */
describe('Apple MDM check-in, end to end, on EventStoreDB', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let standin: EsdbStandin;
  let server: RunningServer;
  let reader: EsdbEventStore;
  let device: TestDevice;

  before(async () => {
    dir = tempDir();
    standin = await startEsdbStandin({ batchAppend: true });
    const ca = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    const keyFile = join(dir.path, 'secrets.key');
    writeFileSync(keyFile, `${'5a'.repeat(32)}\n`, { mode: 0o600 });
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_EVENT_STORE: 'esdb', ESDB_URL: standin.connectionString, MDM_SECRETS_KEY_FILE: keyFile,
      // These tests follow one device's stream event by event: the automation's commands would interleave.
      MDM_AUTOMATION: 'false',
    }), jsonLogger({ write: () => undefined }));
    reader = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    const udid = `0000ESDB${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const cert = await issueDeviceIdentity({ ca } as unknown as TestCa, udid);
    device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: ca.certificatePem(), udid, certPem: cert.certPem, keyPem: cert.keyPem, auth: 'signature' });
  });

  after(async () => {
    device?.close();
    await server?.stop();
    await reader?.close();
    await standin?.stop();
    dir?.remove();
  });

  it('enrolls, delivers a command, stores the report once, with intact hash chains', async () => {
    const topic = 'com.apple.mgmt.External.esdb';
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic, OSVersion: '17.4' })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0a0b', 'hex'), PushMagic: 'pm', UnlockToken: Buffer.from('esdb-unlock') })).status).to.equal(200);
    const commandUuid = randomUUID();
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'SecurityInfo' }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    const idle = await device.report({ Status: 'Idle' });
    expect(getString(asDict(parsePlist(idle.body)), 'CommandUUID')).to.equal(commandUuid);
    const ack = { Status: 'Acknowledged', CommandUUID: commandUuid, SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: true, PasscodeCompliant: true } };
    expect((await device.report(ack)).status).to.equal(200);
    expect((await device.report(ack)).status, 'the same report again').to.equal(200);

    const events = await reader.readStream(deviceStreamId(device.udid));
    expect(events.map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceEnrolled', 'CommandQueued', 'DeviceSeen', 'CommandDelivered', 'CommandAcknowledged', 'SecurityInfoReported']);
    expect(verifyStreamChain(events)).to.equal(undefined);
    expect(JSON.stringify(events)).to.not.contain(Buffer.from('esdb-unlock').toString('base64'));
  });

  it('sees a command queued by another server process on the same store', async () => {
    // Another process: its own client and its own state, writing to the device's stream.
    const other = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    try {
      const commandUuid = randomUUID();
      await other.append(deviceStreamId(device.udid), [{ eventId: randomUUID(), type: 'CommandQueued', data: { commandUuid, request: { requestType: 'ProfileList' }, priority: 50, queuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), queuedBy: 'admin:other-process' } }], 'any');
      const idle = await device.report({ Status: 'Idle' });
      expect(getString(asDict(parsePlist(idle.body)), 'CommandUUID'), 'the cached state caught up').to.equal(commandUuid);
    } finally {
      await other.close();
    }
  });
});
