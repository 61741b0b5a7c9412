import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { httpsGet } from '../support/https-get.js';
import { tempDir } from '../support/temp-dir.js';

describe('mdm serve (real process)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let server: ServerProcess | undefined;
  beforeEach(() => (dir = tempDir()));
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    dir.remove();
  });

  it('starts on embedded defaults: health, readiness, metrics, device HTTPS under the MDM CA', async () => {
    server = await startServerProcess({ MDM_DATA_DIR: dir.path });
    const health = await fetch(`${server.adminUrl}/healthz`);
    expect(health.status).to.equal(200);
    const ready = await fetch(`${server.adminUrl}/readyz`);
    expect(ready.status).to.equal(200);
    const readiness = (await ready.json()) as { details: { push: unknown; automation: { status: string } } };
    expect(readiness).to.deep.include({ status: 'ready', checks: { eventStore: 'ok' } });
    expect(readiness.details.push).to.deep.equal({ status: 'not-configured' });
    expect(readiness.details.automation.status).to.be.oneOf(['starting', 'running']);
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(metrics).to.match(/^process_resident_memory_bytes \d+$/m);
    expect(metrics).to.contain('mdm_http_request_seconds_bucket{');

    // The device listener's certificate chains to the CA the server created, for "localhost".
    const ca = readFileSync(join(dir.path, 'ca', 'ca.pem'), 'utf8');
    const device = await httpsGet(`${server.deviceUrl.replace('127.0.0.1', 'localhost')}/healthz`, ca, 'localhost');
    expect(device.status).to.equal(200);

    const missing = await fetch(`${server.adminUrl}/no-such-route`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.contain('application/problem+json');
    expect(await missing.json()).to.include({ status: 404, title: 'Not Found' });
  });

  it('shuts down gracefully on SIGTERM and logs it', async () => {
    server = await startServerProcess({ MDM_DATA_DIR: dir.path });
    const started = Date.now();
    const code = await server.stop('SIGTERM');
    expect(code).to.equal(0);
    expect(Date.now() - started).to.be.lessThan(5_000);
    const messages = server.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).to.include.members(['signal received', 'shutting down', 'stopped']);
  });

  it('keeps its CA and TLS certificate across restarts', async () => {
    server = await startServerProcess({ MDM_DATA_DIR: dir.path });
    const ca1 = readFileSync(join(dir.path, 'ca', 'ca.pem'), 'utf8');
    const tls1 = readFileSync(join(dir.path, 'tls', 'server.pem'), 'utf8');
    await server.stop();
    server = await startServerProcess({ MDM_DATA_DIR: dir.path });
    expect(readFileSync(join(dir.path, 'ca', 'ca.pem'), 'utf8')).to.equal(ca1);
    expect(readFileSync(join(dir.path, 'tls', 'server.pem'), 'utf8')).to.equal(tls1);
  });

  it('answers /readyz 503 with the reason when EventStoreDB does not answer, /healthz still 200', async () => {
    // Accepts TCP and never says a word: the failure a client without deadlines hangs on.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const keyFile = join(dir.path, 'secrets.key');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(keyFile, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    try {
      server = await startServerProcess({ MDM_DATA_DIR: dir.path, MDM_EVENT_STORE: 'esdb', ESDB_URL: `esdb://127.0.0.1:${port}?tls=false`, MDM_SECRETS_KEY_FILE: keyFile });
      expect((await fetch(`${server.adminUrl}/healthz`)).status).to.equal(200);
      const started = Date.now();
      const ready = await fetch(`${server.adminUrl}/readyz`);
      expect(ready.status).to.equal(503);
      expect(Date.now() - started).to.be.lessThan(5_000);
      const body = (await ready.json()) as { detail: string; checks: unknown };
      expect(body.detail).to.match(/event store unreachable/);
      expect(body.checks).to.deep.equal({ eventStore: 'unreachable' });
    } finally {
      silent.close();
    }
  });
});

describe('secrets given to the server', function () {
  this.timeout(30_000);

  it('never appear in its logs or data dir', async () => {
    const dir = tempDir();
    const token = 'ADMIN-TOKEN-KNOWN-SECRET-6b1f0c9e2d7a4e38';
    const challenge = 'SCEP-CHALLENGE-KNOWN-SECRET-5d2e8a';
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({ MDM_DATA_DIR: dir.path, MDM_ADMIN_TOKEN: token, MDM_SCEP_CHALLENGE: challenge, MDM_LOG_LEVEL: 'debug' });
      await fetch(`${server.adminUrl}/readyz`, { headers: { authorization: `Bearer ${token}` } });
      await fetch(`${server.adminUrl}/nothing?challenge=${challenge}`);
      expect(await server.stop()).to.equal(0);
      const output = server.lines.join('\n') + server.stderr();
      expect(output).to.not.contain(token);
      expect(output).to.not.contain(challenge);
      const { filesContaining } = await import('../support/find-secret.js');
      expect(filesContaining(dir.path, Buffer.from(token))).to.deep.equal([]);
      expect(filesContaining(dir.path, Buffer.from(challenge))).to.deep.equal([]);
    } finally {
      await server?.stop('SIGKILL');
      dir.remove();
    }
  });
});
