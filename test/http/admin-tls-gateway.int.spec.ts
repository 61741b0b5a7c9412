import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { createTestCa, issueDeviceIdentity, issueServerCertificate, type TestCertificate } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

function adminGet(url: string, ca: string, token: string, client?: TestCertificate): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost', headers: { authorization: `Bearer ${token}` }, ...(client ? { cert: client.certPem, key: client.keyPem } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the admin listener over TLS with a client CA: gateway tokens need a client certificate', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  let serverCa = '';
  let gatewayCert: TestCertificate;
  let strangerCert: TestCertificate;
  const tokens: Record<string, string> = {};

  before(async () => {
    dir = tempDir();
    const tlsCa = await createTestCa('Admin TLS CA');
    const clientCa = await createTestCa('Gateway client CA');
    const otherCa = await createTestCa('Somebody else');
    const serverCert = await issueServerCertificate(tlsCa, ['localhost', '127.0.0.1']);
    gatewayCert = await issueDeviceIdentity(clientCa, 'vpn-gateway-1');
    strangerCert = await issueDeviceIdentity(otherCa, 'vpn-gateway-2');
    serverCa = tlsCa.certPem;
    for (const [name, pem] of [['admin.crt', serverCert.certPem], ['admin.key', serverCert.keyPem], ['clients.crt', clientCa.certPem]] as const) writeFileSync(join(dir.path, name), pem);
    await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(
      loadConfig({
        MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_AUTOMATION: 'false',
        MDM_ADMIN_TLS_CERT_FILE: join(dir.path, 'admin.crt'), MDM_ADMIN_TLS_KEY_FILE: join(dir.path, 'admin.key'), MDM_ADMIN_TLS_CLIENT_CA_FILE: join(dir.path, 'clients.crt'),
      }),
      jsonLogger({ write: () => undefined }),
    );
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    const api = new ApiTokens(store, systemClock);
    for (const role of ['gateway', 'auditor'] as const) tokens[role] = (await api.create({ role, name: role }, { kind: 'admin', id: 'test' })).token;
    await store.close();
  });
  after(async () => {
    await server?.stop();
    dir?.remove();
  });

  const url = () => `${server!.adminUrl.replace('127.0.0.1', 'localhost')}/api/v1/devices`;

  it('refuses a gateway token without a certificate, or with one from another CA', async () => {
    for (const client of [undefined, strangerCert]) {
      const res = await adminGet(url(), serverCa, tokens['gateway']!, client);
      expect(res.status).to.equal(403);
      expect((JSON.parse(res.body) as { type: string }).type).to.equal('urn:mdm:problem:client-certificate-required');
    }
  });

  it('accepts a gateway token with a certificate from the client CA (and then applies its role)', async () => {
    const res = await adminGet(url(), serverCa, tokens['gateway']!, gatewayCert);
    // Past authentication: the gateway role may not list devices, which is a role refusal, not a certificate one.
    expect(res.status).to.equal(403);
    expect((JSON.parse(res.body) as { type: string }).type).to.equal('urn:mdm:problem:forbidden');
  });

  it('leaves other roles alone: an auditor needs no certificate', async () => {
    const res = await adminGet(`${url()}?limit=1`, serverCa, tokens['auditor']!);
    expect([200, 503]).to.include(res.status);
  });
});
