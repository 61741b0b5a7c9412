import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { eventually } from '../support/eventually.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

/** The value of one sample in Prometheus text, labels given in any order; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(labels).length === Object.keys(found).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe('operations: metrics and request ids of a running server', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let device: TestDevice;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    dir = tempDir();
    const mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    const config = loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_AUTOMATION: 'false', MDM_LOG_LEVEL: 'debug',
    });
    server = await startServer(config, jsonLogger({ level: 'debug', write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
    const udid = `0000${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const cert = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, udid);
    device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: mdmCa.certificatePem(), udid, certPem: cert.certPem, keyPem: cert.keyPem, auth: 'mtls' });
  });

  after(async () => {
    device?.close();
    await server?.stop();
    dir?.remove();
  });

  it('counts check-ins by message type and status and command reports by status, scraped from /metrics', async () => {
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.e2e', SerialNumber: 'F2LXK0XXHG7F', Model: 'iPhone14,5', OSVersion: '17.4', BuildVersion: '21E219', ProductName: 'iPhone14,5', DeviceName: 'Test iPhone' })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.e2e', Token: Buffer.from('beef', 'hex'), PushMagic: 'magic', UnlockToken: Buffer.from('unlock') })).status).to.equal(200);
    const commandUuid = randomUUID();
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'DeviceInformation', Queries: ['OSVersion'] }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    expect((await device.report({ Status: 'Idle' })).status).to.equal(200);
    expect((await device.report({ Status: 'Acknowledged', CommandUUID: commandUuid, QueryResponses: { OSVersion: '17.4' } })).status).to.equal(200);
    // A check-in type the server does not support is answered 410: counted with that status.
    expect((await device.checkIn({ MessageType: 'UserAuthenticate', UserID: 'C7A8B2E1-0000-4000-8000-000000000001' })).status).to.equal(410);
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: 'com.apple.mgmt.External.e2e' })).status).to.equal(200);
    // Its certificate was released at CheckOut: refused before the message is read, so not counted here.
    expect((await device.report({ Status: 'Idle' })).status).to.equal(401);

    const scrape = await fetch(`${server.adminUrl}/metrics`);
    expect(scrape.status).to.equal(200);
    const text = await scrape.text();
    expect(sample(text, 'mdm_checkins_total', { message_type: 'Authenticate', status: '200' })).to.equal(1);
    expect(sample(text, 'mdm_checkins_total', { message_type: 'TokenUpdate', status: '200' })).to.equal(1);
    expect(sample(text, 'mdm_checkins_total', { message_type: 'CheckOut', status: '200' })).to.equal(1);
    expect(sample(text, 'mdm_checkins_total', { message_type: 'UserAuthenticate', status: '410' })).to.equal(1);
    expect(sample(text, 'mdm_command_reports_total', { status: 'Idle' })).to.equal(1);
    expect(sample(text, 'mdm_command_reports_total', { status: 'Acknowledged' })).to.equal(1);
    expect(text).to.match(/^# TYPE mdm_rate_limited_total counter$/m);
    expect(sample(text, 'mdm_http_request_seconds_count', { listener: 'device', route: '/mdm', status: '200' })).to.equal(5);
    expect(sample(text, 'mdm_http_request_seconds_count', { listener: 'device', route: '/mdm', status: '401' })).to.equal(1);
  });

  it('answers every listener with an X-Request-Id that its request log line carries', async () => {
    const id = `probe-${randomUUID()}`;
    const r = await fetch(`${server.adminUrl}/healthz`, { headers: { 'x-request-id': id } });
    expect(r.headers.get('x-request-id')).to.equal(id);
    const device404 = await device.put('/nowhere', 'application/json', Buffer.from('{}'));
    expect(device404.status).to.equal(404);
    const body = JSON.parse(device404.body.toString()) as { requestId?: string };
    expect(body.requestId).to.match(/^[0-9a-f-]{36}$/);
    // Request lines are written as responses finish, just after the client has them.
    await eventually(() => {
      const logged = lines.filter((l) => l['msg'] === 'request').map((l) => l['requestId']);
      expect(logged).to.include(id);
      expect(logged).to.include(body.requestId);
    });
  });
});
