import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdb-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { eventually } from '../support/eventually.js';
import { startEsdbStandin, type EsdbStandin } from '../support/esdb-standin.js';
import { issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

/**
 * Two server processes on one EventStoreDB (the gRPC stand-in): both run the automation, both see
 * the device enroll, and the device's queue gets each command once.
 */
describe('post-enrollment automation, two servers on EventStoreDB', function () {
  this.timeout(60_000);
  let dirs: Array<ReturnType<typeof tempDir>> = [];
  let standin: EsdbStandin;
  let servers: RunningServer[] = [];
  let reader: EsdbEventStore;
  let ca: FileCertificateAuthority;

  before(async () => {
    standin = await startEsdbStandin({ batchAppend: true });
    dirs = [tempDir(), tempDir()];
    ca = await FileCertificateAuthority.openOrCreate(join(dirs[0]!.path, 'ca'), { keyBits: 2048 });
    const keyFile = join(dirs[0]!.path, 'secrets.key');
    writeFileSync(keyFile, `${'6b'.repeat(32)}\n`, { mode: 0o600 });
    for (const dir of dirs) {
      servers.push(await startServer(loadConfig({
        MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
        MDM_EVENT_STORE: 'esdb', ESDB_URL: standin.connectionString, MDM_SECRETS_KEY_FILE: keyFile,
      }), jsonLogger({ write: () => undefined })));
    }
    await Promise.all(servers.map((s) => s.services.automation!.start()));
    reader = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
  });

  after(async () => {
    for (const s of servers) await s.stop();
    await reader?.close();
    await standin?.stop();
    for (const d of dirs) d.remove();
    servers = [];
  });

  it('queues the inventory once although both servers act on the enrollment', async () => {
    const udid = `0000ESDA${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const cert = await issueDeviceIdentity({ ca } as unknown as TestCa, udid);
    const device = new TestDevice({ serverUrl: servers[0]!.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: ca.certificatePem(), udid, certPem: cert.certPem, keyPem: cert.keyPem, auth: 'signature' });
    try {
      const topic = 'com.apple.mgmt.External.esdb';
      expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
      expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0a0b', 'hex'), PushMagic: 'pm' })).status).to.equal(200);
      const queued = async () => (await reader.readStream(deviceStreamId(udid))).filter((e) => e.type === 'CommandQueued').map((e) => (e.data as { request: { requestType: string } }).request.requestType);
      const enrolled = (await reader.readStream(deviceStreamId(udid))).find((e) => e.type === 'DeviceEnrolled')!.position;
      // Both automations have acted on the enrollment...
      await eventually(() => {
        for (const s of servers) expect(s.services.automation!.status().position).to.be.at.least(enrolled);
      });
      // ...and the queue holds each command once.
      expect((await queued()).sort()).to.deep.equal(['CertificateList', 'DeviceInformation', 'InstalledApplicationList', 'ProfileList', 'SecurityInfo']);
    } finally {
      device.close();
    }
  });
});
