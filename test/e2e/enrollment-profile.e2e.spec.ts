import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { startApnsWithPushFiles } from '../support/apns-push-files.js';
import { opensslCliAvailable, scepclientAvailable } from '../support/scep-tools.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

const hasPython = spawnSync('python3', ['-c', 'import plistlib']).status === 0;

function get(url: string, ca: string, method: 'GET' | 'POST' = 'POST'): Promise<{ status: number; type?: string; headers?: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, servername: 'localhost', method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['content-type'] ? { type: res.headers['content-type'] } : {}), headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

describe('enrollment tokens and the enrollment profile', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let caPem: string;
  let topic: string;
  let tokens: EnrollmentTokens;
  let tokenStore: SqliteEventStore;

  before(async () => {
    dir = tempDir();
    caPem = (await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 })).certificatePem();
    ({ apns, topic } = await startApnsWithPushFiles(dir.path));
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'),
    }), jsonLogger({ write: () => undefined }));
    // As the CLI does: its own connection to the store, while the server runs.
    tokenStore = new SqliteEventStore(join(dir.path, 'events.db'));
    tokens = new EnrollmentTokens(tokenStore, systemClock);
  });

  after(async () => {
    await tokenStore?.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const enrollUrl = (token: string, unsigned = false) => `${server.deviceUrl.replace('127.0.0.1', 'localhost')}/enroll/${token}${unsigned ? '?unsigned=1' : ''}`;

  it('GET shows a page whose button POSTs back, and spends nothing: link previewers fetch the link', async () => {
    const { token } = await tokens.create({ actor: { kind: 'admin', id: 'e2e' } });
    for (let i = 0; i < 3; i++) {
      const page = await get(enrollUrl(token, true), caPem, 'GET');
      expect(page.status).to.equal(200);
      expect(page.type).to.contain('text/html');
      expect(page.headers!['cache-control']).to.equal('no-store');
      expect(String(page.headers!['content-security-policy'])).to.contain("form-action 'self'");
      expect(page.body.toString()).to.contain('<form method="post">');
      expect(page.body.toString()).to.not.contain(token);
    }
    // The one use is still there.
    expect((await get(enrollUrl(token, true), caPem)).status).to.equal(200);
    expect((await get(enrollUrl(token, true), caPem)).status).to.equal(404);
  });

  it('mdm enrollment-token show|revoke, while the server runs: a revoked link enrolls nothing more', async () => {
    const env = { MDM_DATA_DIR: dir.path };
    const created = await runCli(['enrollment-token', 'create', '--uses', '3', '--user', 'erin'], env);
    expect(created.code, created.stderr).to.equal(0);
    const token = /^token: +(\S+)$/m.exec(created.stdout)![1]!;
    const id = /^id: +(\S+)$/m.exec(created.stdout)![1]!;
    expect(token.startsWith(`${id}.`)).to.equal(true);
    expect((await get(enrollUrl(token, true), caPem)).status).to.equal(200);

    const shown = await runCli(['enrollment-token', 'show', id], env);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain('user:     erin\n');
    expect(shown.stdout).to.contain('uses:     1 of 3\n');
    expect(shown.stdout).to.contain('revoked:  no\n');
    expect(shown.stdout).to.not.contain(token.split('.')[1]!);

    // The whole token is accepted too; only its id is used.
    const revoked = await runCli(['enrollment-token', 'revoke', token], env);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.stdout).to.equal(`revoked: enrollment token ${id}\n`);
    expect((await get(enrollUrl(token, true), caPem)).status, 'uses were left, but the link is revoked').to.equal(404);
    expect((await runCli(['enrollment-token', 'revoke', id], env)).stdout).to.equal(`already revoked: enrollment token ${id}\n`);
    expect((await runCli(['enrollment-token', 'show', id], env)).stdout).to.contain('revoked:  yes\n');

    const unknown = await runCli(['enrollment-token', 'revoke', '0'.repeat(32)], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain('no enrollment token');
    expect((await runCli(['enrollment-token', 'revoke', 'not-an-id'], env)).code).to.equal(2);
  });

  it('serves the profile once per single-use token: CA, SCEP identity and MDM payloads', async () => {
    const { token } = await tokens.create({ user: 'alice', actor: { kind: 'admin', id: 'e2e' } });
    const res = await get(enrollUrl(token, true), caPem);
    expect(res.status).to.equal(200);
    expect(res.type).to.contain('application/x-apple-aspen-config');
    const profile = asDict(parsePlist(res.body));
    expect(getString(profile, 'PayloadType')).to.equal('Configuration');
    const [ca, identity, mdm] = getArray(profile, 'PayloadContent').map((p) => asDict(p));
    expect(getString(ca!, 'PayloadType')).to.equal('com.apple.security.root');
    expect((ca!['PayloadContent'] as Buffer).toString('base64')).to.equal(caPem.replace(/-----[^-]+-----|\s/g, ''));
    expect(getString(identity!, 'PayloadType')).to.equal('com.apple.security.scep');
    const scep = getDict(identity!, 'PayloadContent');
    expect(getString(scep, 'URL')).to.equal('https://mdm.example.com/scep');
    expect(scep['Keysize']).to.equal(2048);
    expect(scep['Key Type']).to.equal('RSA');
    expect(getString(mdm!, 'PayloadType')).to.equal('com.apple.mdm');
    expect(getString(mdm!, 'ServerURL')).to.equal('https://mdm.example.com/mdm');
    expect(getString(mdm!, 'Topic')).to.equal(topic);
    expect(getString(mdm!, 'IdentityCertificateUUID')).to.equal(getString(identity!, 'PayloadUUID'));
    expect(mdm!['AccessRights']).to.equal(8191);
    expect(mdm!['ServerURLPinningCertificateUUIDs']).to.deep.equal([getString(ca!, 'PayloadUUID')]);
    if (hasPython) {
      const viaPython = JSON.parse(execFileSync('python3', ['-c', 'import plistlib,sys,json; p=plistlib.loads(sys.stdin.buffer.read()); print(json.dumps([c["PayloadType"] for c in p["PayloadContent"]]))'], { input: res.body }).toString());
      expect(viaPython).to.deep.equal(['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm']);
    } else {
      console.log('      (python3 missing: profile not cross-checked with plistlib)');
    }
    // Single use: the same token again is a bare 404, as is any made-up one.
    expect((await get(enrollUrl(token, true), caPem)).status).to.equal(404);
    expect((await get(enrollUrl(`${'0'.repeat(32)}.${'A'.repeat(43)}`), caPem)).status).to.equal(404);
  });

  it('signs the profile (CMS) so that openssl smime -verify accepts it against the MDM CA', async function () {
    if (!opensslCliAvailable) {
      console.log('      (openssl missing: signature not checked)');
      this.skip();
    }
    const { token } = await tokens.create({ actor: { kind: 'admin', id: 'e2e' } });
    const res = await get(enrollUrl(token), caPem);
    expect(res.status).to.equal(200);
    writeFileSync(join(dir.path, 'signed.mobileconfig'), res.body);
    writeFileSync(join(dir.path, 'ca-only.pem'), caPem);
    const verified = spawnSync('openssl', ['smime', '-verify', '-inform', 'DER', '-in', join(dir.path, 'signed.mobileconfig'), '-CAfile', join(dir.path, 'ca-only.pem'), '-purpose', 'any'], { encoding: 'utf8' });
    expect(verified.status, verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain('<string>com.apple.mdm</string>');
  });

  it('the profile\'s one-time challenge gets a certificate through SCEP once', async function () {
    if (!scepclientAvailable) {
      console.log('      (scepclient missing: skipping)');
      this.skip();
    }
    const { token } = await tokens.create({ actor: { kind: 'admin', id: 'e2e' } });
    const profile = asDict(parsePlist((await get(enrollUrl(token, true), caPem)).body));
    const scepPayload = getDict(asDict(getArray(profile, 'PayloadContent')[1]), 'PayloadContent');
    const challenge = getString(scepPayload, 'Challenge');
    const enrollmentId = (scepPayload['Subject'] as string[][][])[0]![0]![1]!;
    const scep = (cwd: string, cn = enrollmentId) => new Promise<number | null>((resolve) => {
      mkdirSync(cwd, { recursive: true });
      const child = spawn('scepclient', ['-server-url', `${server.deviceUrl.replace('127.0.0.1', 'localhost')}/scep`, '-private-key', join(cwd, 'k.pem'), '-certificate', join(cwd, 'c.pem'), '-challenge', challenge, '-cn', cn], { cwd, env: { ...process.env, SSL_CERT_FILE: join(dir.path, 'ca', 'ca.pem') }, stdio: 'ignore' });
      child.once('exit', resolve);
    });
    // The challenge authorizes only the subject the profile asked for.
    expect(await scep(join(dir.path, 'other-name'), 'someone-else'), 'another common name').to.not.equal(0);
    expect(await scep(join(dir.path, 'first'))).to.equal(0);
    expect(existsSync(join(dir.path, 'first', 'c.pem'))).to.equal(true);
    expect(await scep(join(dir.path, 'second')), 'the challenge is spent').to.not.equal(0);
    expect(existsSync(join(dir.path, 'second', 'c.pem'))).to.equal(false);
  });

  it('mdm enrollment-token create prints a token and its URL', async () => {
    const d = tempDir();
    try {
      const r = await runCli(['enrollment-token', 'create', '--user', 'bob', '--uses', '3'], { MDM_DATA_DIR: d.path, MDM_PUBLIC_URL: 'https://mdm.example.com:8443' });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^url: {5}https:\/\/mdm\.example\.com:8443\/enroll\/[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/m);
      expect(r.stdout).to.match(/^uses: {4}3$/m);
      expect((await runCli(['enrollment-token', 'create', '--uses', '0'], { MDM_DATA_DIR: d.path })).code).to.equal(2);
    } finally {
      d.remove();
    }
  });
});
