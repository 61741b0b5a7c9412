import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REVOCATIONS_STREAM } from '../../application/certificates/certificate-revocations.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getData, getDict, getString, getStringArray, parsePlist } from '../../infrastructure/plist/index.js';
import { createApnsPushCertificate } from '../apns/apns-certificate-fixture.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { answerPlist, httpsRequest, openEnvelopedData, scepEnroll, signAttachedCms, signedContent, standInAppleCa, type HttpsAnswer, type StandInAppleCa } from '../support/ota-device.js';
import { createTestCa, issueDeviceIdentity, issueServerCertificate } from '../support/pki.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';

const hasPython = spawnSync('python3', ['-c', 'import plistlib']).status === 0;
const PASSWORD = 'correct horse battery';

/**
 * The whole web enrollment over real HTTPS against a running server: sign in on /enroll, the
 * Profile Service payload, the device's answer signed with a (stand-in) Apple device certificate,
 * SCEP with the challenge from the answer, the second answer signed with the new identity, and
 * the enrollment profile encrypted to it.
 */
describe('web enrollment and the OTA profile service', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let caPem: string;
  let topic: string;
  let apple: StandInAppleCa;
  let reader: SqliteEventStore;
  const logLines: string[] = [];

  before(async () => {
    dir = tempDir('mdm-ota-');
    caPem = (await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 })).certificatePem();
    const apnsCa = await createTestCa('APNs stand-in CA');
    const apnsServer = await issueServerCertificate(apnsCa, ['127.0.0.1', 'localhost']);
    const push = await createApnsPushCertificate(apnsCa);
    topic = push.topic;
    apns = await ApnsStandIn.start({ certPem: apnsServer.certPem, keyPem: apnsServer.keyPem, clientCaPem: apnsCa.certPem });
    writeFileSync(join(dir.path, 'push.pem'), push.certPem);
    writeFileSync(join(dir.path, 'push.key'), push.keyPem, { mode: 0o600 });
    writeFileSync(join(dir.path, 'apns-ca.pem'), apnsCa.certPem);
    apple = standInAppleCa(await createTestCa('Stand-in Apple Root CA'));
    // Only the root: devices include the intermediate in their answers.
    writeFileSync(join(dir.path, 'apple-ca.pem'), apple.root.certPem);
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'), MDM_OTA_APPLE_CA_FILE: join(dir.path, 'apple-ca.pem'),
      // Every device here comes from 127.0.0.1, faster than any real one: the per-address request
      // limit (tested on its own) would cut in; the sign-in throttle stays on.
      MDM_RATE_LIMIT_ENROLLMENT_PER_MINUTE: '0',
    }), jsonLogger({ write: (line) => void logLines.push(line) }));
    // Users are added with the CLI while the server runs, as an admin would.
    for (const [name, group] of [['alice', 'Sales'], ['bob', 'Field'], ['carol', 'Ops'], ['dave', 'Ops']] as const) {
      const added = await runCli(['user', 'add', name, '--group', group, '--display-name', `${name} example`], { MDM_DATA_DIR: dir.path, MDM_USER_PASSWORD: PASSWORD });
      expect(added.code, added.stderr).to.equal(0);
    }
    reader = new SqliteEventStore(join(dir.path, 'events.db'));
  });

  after(async () => {
    await reader?.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const base = () => server.deviceUrl.replace('127.0.0.1', 'localhost');
  const get = (path: string, headers: Record<string, string> = {}) => httpsRequest(`${base()}${path}`, caPem, { headers });
  const post = (path: string, body: Buffer | string, headers: Record<string, string>) => httpsRequest(`${base()}${path}`, caPem, { method: 'POST', body, headers });
  const allEvents = () => reader.readAll();

  async function signIn(username: string, password: string): Promise<HttpsAnswer> {
    const page = await get('/enroll');
    expect(page.status).to.equal(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const token = /name="form_token" value="([^"]+)"/.exec(page.body.toString('utf8'))![1]!;
    const form = new URLSearchParams({ form_token: token, username, password }).toString();
    return post('/enroll', form, { 'content-type': 'application/x-www-form-urlencoded', cookie });
  }

  /** Phase 1: the Profile Service payload of a signed-in user. */
  async function profileService(username: string): Promise<{ url: string; challenge: string; enrollmentId: string; raw: Buffer; content: Buffer }> {
    const answer = await signIn(username, PASSWORD);
    expect(answer.status, answer.body.toString('utf8')).to.equal(200);
    expect(answer.headers['content-type']).to.contain('application/x-apple-aspen-config');
    const content = signedContent(answer.body);
    const payload = getDict(asDict(parsePlist(content)), 'PayloadContent');
    const url = getString(payload, 'URL');
    return { url, challenge: getString(payload, 'Challenge'), enrollmentId: url.split('/').pop()!, raw: answer.body, content };
  }

  const answer = (enrollmentId: string, attributes: Record<string, string>, signer: { certPem: string; keyPem: string }, chain: string[] = []) =>
    post(`/ota/${enrollmentId}`, signAttachedCms(answerPlist(attributes), signer, chain), { 'content-type': 'application/pkcs7-signature' });

  /** Phase 2 signed by a stand-in Apple device certificate; returns the SCEP payload's content. */
  async function identityPayload(enrollmentId: string, udid: string, challenge: string) {
    const res = await answer(enrollmentId, { UDID: udid, VERSION: '22A3354', PRODUCT: 'iPhone15,2', SERIAL: 'F2LXK0Q1', DEVICE_NAME: 'iPhone', CHALLENGE: challenge }, apple.device(udid), [apple.intermediate.certPem]);
    expect(res.status).to.equal(200);
    const profile = asDict(parsePlist(signedContent(res.body)));
    const [scep] = getArray(profile, 'PayloadContent').map((p) => asDict(p));
    expect(getString(scep!, 'PayloadType')).to.equal('com.apple.security.scep');
    return getDict(scep!, 'PayloadContent');
  }

  const scepUrl = () => `${base()}/scep`;

  it('signs in, serves the Profile Service payload, then the identity profile, then the enrollment profile encrypted to the new identity', async () => {
    const phase1 = await profileService('Alice');
    expect(phase1.url).to.equal(`https://mdm.example.com/ota/${phase1.enrollmentId}`);
    const service = asDict(parsePlist(phase1.content));
    expect(getString(service, 'PayloadType')).to.equal('Profile Service');
    expect(getStringArray(getDict(service, 'PayloadContent'), 'DeviceAttributes')).to.deep.equal(['UDID', 'VERSION', 'PRODUCT', 'SERIAL', 'IMEI', 'MEID', 'DEVICE_NAME']);
    if (hasPython) {
      const viaPython = JSON.parse(execFileSync('python3', ['-c', 'import plistlib,sys,json; p=plistlib.loads(sys.stdin.buffer.read()); print(json.dumps([p["PayloadType"], p["PayloadContent"]["URL"], p["PayloadContent"]["DeviceAttributes"]]))'], { input: phase1.content }).toString());
      expect(viaPython).to.deep.equal(['Profile Service', phase1.url, ['UDID', 'VERSION', 'PRODUCT', 'SERIAL', 'IMEI', 'MEID', 'DEVICE_NAME']]);
    } else {
      console.log('      (python3 missing: Profile Service payload not cross-checked with plistlib)');
    }
    if (opensslCliAvailable) {
      writeFileSync(join(dir.path, 'service.p7'), phase1.raw);
      const verified = spawnSync('openssl', ['smime', '-verify', '-inform', 'DER', '-in', join(dir.path, 'service.p7'), '-CAfile', join(dir.path, 'ca', 'ca.pem'), '-purpose', 'any'], { encoding: 'utf8' });
      expect(verified.status, verified.stderr).to.equal(0);
      expect(verified.stdout).to.contain('<string>Profile Service</string>');
    } else {
      console.log('      (openssl missing: Profile Service signature not checked)');
    }

    const udid = `00008030-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const scep = await identityPayload(phase1.enrollmentId, udid, phase1.challenge);
    expect(getString(scep, 'URL')).to.equal('https://mdm.example.com/scep');
    expect(scep['Subject']).to.deep.equal([[['CN', phase1.enrollmentId]]]);
    const identity = await scepEnroll(scepUrl(), caPem, phase1.enrollmentId, getString(scep, 'Challenge'));
    expect(identity.status).to.equal('0');

    const phase3 = await answer(phase1.enrollmentId, { UDID: udid, VERSION: '22A3354', PRODUCT: 'iPhone15,2', CHALLENGE: phase1.challenge }, identity);
    expect(phase3.status).to.equal(200);
    // Its work done, the phase-2 identity is revoked; phase 3 is not answered twice.
    const phase2Sha = createHash('sha256').update(new X509Certificate(identity.certPem).raw).digest('hex');
    const revocations = (await reader.readStream(REVOCATIONS_STREAM)).map((e) => e.data as { sha256: string; reason: string });
    expect(revocations.filter((r) => r.sha256 === phase2Sha).map((r) => r.reason)).to.deep.equal(['superseded']);
    const recorded = (await allEvents()).length;
    expect((await answer(phase1.enrollmentId, { UDID: udid, VERSION: '22A3354', PRODUCT: 'iPhone15,2', CHALLENGE: phase1.challenge }, identity)).status, 'phase 3 again').to.equal(403);
    expect((await allEvents()).length, 'the refusal records nothing').to.equal(recorded);
    const outer = asDict(parsePlist(signedContent(phase3.body)));
    expect(outer['PayloadContent'], 'the payloads travel encrypted only').to.equal(undefined);
    expect(outer['IsEncrypted']).to.equal(true);
    const payloads = parsePlist(openEnvelopedData(getData(outer, 'EncryptedPayloadContent'), identity)) as unknown[];
    const types = payloads.map((p) => getString(asDict(p), 'PayloadType'));
    expect(types).to.deep.equal(['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm']);
    const mdm = asDict(payloads[2]);
    expect(getString(mdm, 'Topic')).to.equal(topic);
    expect(getString(mdm, 'ServerURL')).to.equal('https://mdm.example.com/mdm');
    const mdmScep = getDict(asDict(payloads[1]), 'PayloadContent');
    expect(mdmScep['Subject']).to.deep.equal([[['CN', phase1.enrollmentId]]]);
    expect(getString(mdmScep, 'Challenge')).to.not.equal(getString(scep, 'Challenge'));

    if (opensslCliAvailable) {
      writeFileSync(join(dir.path, 'final.p7'), phase3.body);
      writeFileSync(join(dir.path, 'device.pem'), identity.certPem);
      writeFileSync(join(dir.path, 'device.key'), identity.keyPem, { mode: 0o600 });
      const verified = spawnSync('openssl', ['smime', '-verify', '-inform', 'DER', '-in', join(dir.path, 'final.p7'), '-CAfile', join(dir.path, 'ca', 'ca.pem'), '-purpose', 'any'], { encoding: 'utf8' });
      expect(verified.status, verified.stderr).to.equal(0);
      writeFileSync(join(dir.path, 'encrypted.der'), getData(asDict(parsePlist(Buffer.from(verified.stdout, 'utf8'))), 'EncryptedPayloadContent'));
      const decrypted = spawnSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(dir.path, 'encrypted.der'), '-recip', join(dir.path, 'device.pem'), '-inkey', join(dir.path, 'device.key')]);
      expect(decrypted.status, decrypted.stderr.toString()).to.equal(0);
      if (hasPython) {
        const viaPython = JSON.parse(execFileSync('python3', ['-c', 'import plistlib,sys,json; print(json.dumps([p["PayloadType"] for p in plistlib.loads(sys.stdin.buffer.read())]))'], { input: decrypted.stdout }).toString());
        expect(viaPython).to.deep.equal(types);
      } else {
        expect(decrypted.stdout.toString()).to.contain('<string>com.apple.mdm</string>');
      }
    } else {
      console.log('      (openssl missing: signature and decryption not cross-checked)');
    }

    // (Identity issuance is recorded on the stream too where SCEP reports it; this test follows the profiles.)
    const stream = (await reader.readStream(`enrollment-${phase1.enrollmentId}`)).filter((e) => e.type !== 'EnrollmentIdentityIssued');
    expect(stream.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentProfileServed', 'EnrollmentDeviceAttributesReceived', 'EnrollmentProfileServed', 'EnrollmentProfileServed']);
    expect(stream[0]!.data).to.include({ method: 'ota', user: 'alice', group: 'Sales' });
    expect(stream.filter((e) => e.type === 'EnrollmentProfileServed').map((e) => e.data)).to.deep.equal([
      { enrollmentId: phase1.enrollmentId, profile: 'profile-service', signed: true, encrypted: false, servedAt: (stream[1]!.data as { servedAt: string }).servedAt },
      { enrollmentId: phase1.enrollmentId, profile: 'identity', signed: true, encrypted: false, servedAt: (stream[3]!.data as { servedAt: string }).servedAt },
      { enrollmentId: phase1.enrollmentId, profile: 'mdm', signed: true, encrypted: true, servedAt: (stream[4]!.data as { servedAt: string }).servedAt },
    ]);
    expect((stream[2]!.data as { attributes: unknown }).attributes).to.deep.equal({ udid, version: '22A3354', product: 'iPhone15,2', serialNumber: 'F2LXK0Q1', deviceName: 'iPhone' });

    // No secret in clear anywhere in the store, and none in the log.
    const everything = JSON.stringify(await allEvents());
    for (const secret of [phase1.challenge, getString(scep, 'Challenge'), getString(mdmScep, 'Challenge'), PASSWORD]) {
      expect(everything).to.not.contain(secret);
      expect(logLines.join('')).to.not.contain(secret);
    }
  });

  it('wrong password: 401 with the form and a generic message, nothing recorded; after the limit 429 with Retry-After', async () => {
    const before = (await allEvents()).length;
    const wrong = await signIn('bob', 'not the password');
    expect(wrong.status).to.equal(401);
    expect(wrong.headers['content-type']).to.contain('text/html');
    const html = wrong.body.toString('utf8');
    expect(html).to.contain('The user name or password is not correct.');
    expect(html).to.contain('<form method="post" action="/enroll"');
    // An unknown user gets exactly the same answer.
    const unknown = await signIn('nobody-here', 'not the password');
    expect(unknown.status).to.equal(401);
    expect(unknown.body.toString('utf8').replace(/value="[^"]*"/g, '')).to.equal(html.replace(/value="[^"]*"/g, ''));
    for (let i = 0; i < 4; i++) expect((await signIn('bob', `wrong-${i}`)).status).to.equal(401);
    const throttled = await signIn('bob', PASSWORD);
    expect(throttled.status, 'even the right password waits once the limit is reached').to.equal(429);
    expect(Number(throttled.headers['retry-after'])).to.be.within(1, 15 * 60);
    expect((await allEvents()).length, 'failed sign-ins record nothing').to.equal(before);
    expect(logLines.some((l) => l.includes('enrollment sign-in failed') && l.includes('"username":"bob"'))).to.equal(true);
    expect(logLines.join('')).to.not.contain('not the password');
    // Another user from the same address is not locked out by bob's failures.
    expect((await signIn('carol', PASSWORD)).status).to.equal(200);
  });

  it('attempts sent all at once cannot outrun the limit: each counts before its password check', async () => {
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => signIn('dave-concurrent', `wrong-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length, statuses.join(',')).to.be.at.most(5);
    expect(statuses.filter((s) => s === 429).length, statuses.join(',')).to.be.at.least(10);
  });

  it('refuses a sign-in without the form cookie (posted from another site) and a malformed form', async () => {
    const form = new URLSearchParams({ form_token: 'x'.repeat(32), username: 'carol', password: PASSWORD }).toString();
    expect((await post('/enroll', form, { 'content-type': 'application/x-www-form-urlencoded' })).status).to.equal(403);
    expect((await post('/enroll', '{"username":"carol"}', { 'content-type': 'application/json' })).status).to.equal(415);
    expect((await post('/enroll', 'username=a&username=b&password=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).to.equal(400);
    expect((await post('/enroll', `username=carol&password=${'p'.repeat(10_000)}`, { 'content-type': 'application/x-www-form-urlencoded' })).status).to.equal(413);
  });

  it('serves the sign-in page self-contained, uncached, under a restrictive CSP', async () => {
    const page = await get('/enroll');
    expect(page.headers['cache-control']).to.equal('no-store');
    expect(String(page.headers['content-security-policy'])).to.match(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'/);
    expect(String(page.headers['set-cookie'])).to.match(/^__Host-mdm-enroll-form=[A-Za-z0-9_-]+; Path=\/; Secure; HttpOnly; SameSite=Strict/);
    const html = page.body.toString('utf8');
    expect(html).to.not.match(/<script|src=|href=/);
  });

  it('refuses wrong and replayed challenges, foreign signers, another enrollment\'s identity and another device, recording nothing', async () => {
    const phase1 = await profileService('dave');
    const udid = `00008101-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const device = apple.device(udid);
    const chain = [apple.intermediate.certPem];
    let count = (await allEvents()).length;
    const nothingRecorded = async (what: string) => expect((await allEvents()).length, what).to.equal(count);

    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: 'not-the-challenge' }, device, chain)).status, 'wrong challenge').to.equal(401);
    expect((await answer(phase1.enrollmentId, { UDID: udid }, device, chain)).status, 'no challenge').to.equal(401);
    expect((await answer(randomUUID(), { UDID: udid, CHALLENGE: phase1.challenge }, device, chain)).status, 'another enrollment id').to.be.oneOf([401, 403]);
    // A signer from another CA than Apple's (as configured), with the right challenge.
    const otherCa = await createTestCa('Not Apple');
    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: phase1.challenge }, await issueDeviceIdentity(otherCa, udid))).status, 'foreign device CA').to.equal(403);
    // Apple's device certificate without the intermediate does not chain to the root either.
    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: phase1.challenge }, device)).status, 'chain incomplete').to.equal(403);
    // A body whose signature does not cover it.
    const signed = signAttachedCms(answerPlist({ UDID: udid, CHALLENGE: phase1.challenge }), device, chain);
    const tampered = Buffer.from(signed);
    const at = tampered.indexOf(Buffer.from(udid));
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
    expect((await post(`/ota/${phase1.enrollmentId}`, tampered, {})).status, 'tampered').to.equal(401);
    expect((await post(`/ota/${phase1.enrollmentId}`, Buffer.from('not cms at all'), {})).status, 'garbage').to.equal(400);
    expect((await post(`/ota/${phase1.enrollmentId}`, signAttachedCms(Buffer.from('<plist>'), device, chain), {})).status, 'not a plist').to.equal(400);
    expect((await post('/ota/not-an-id', signed, {})).status).to.equal(404);
    expect((await post(`/ota/${phase1.enrollmentId}`, Buffer.alloc(100 * 1024, 0x30), {})).status, 'too large').to.equal(413);
    await nothingRecorded('refused phase-2 answers');

    // The challenge was never spent by the refusals: the genuine answer still works, once.
    const scep = await identityPayload(phase1.enrollmentId, udid, phase1.challenge);
    count = (await allEvents()).length;
    expect((await post(`/ota/${phase1.enrollmentId}`, signed, {})).status, 'replayed phase 2').to.equal(401);
    expect((await answer(phase1.enrollmentId, { UDID: 'FFFFFFFF-0000', CHALLENGE: phase1.challenge }, apple.device('FFFFFFFF-0000'), chain)).status, 'another device, same challenge').to.equal(401);
    await nothingRecorded('replays');

    const identity = await scepEnroll(scepUrl(), caPem, phase1.enrollmentId, getString(scep, 'Challenge'));
    expect(identity.status).to.equal('0');
    count = (await allEvents()).length;
    // Another enrollment's identity, issued by our CA for its own enrollment.
    const other = await profileService('carol');
    const otherUdid = `00008110-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const otherScep = await identityPayload(other.enrollmentId, otherUdid, other.challenge);
    const otherIdentity = await scepEnroll(scepUrl(), caPem, other.enrollmentId, getString(otherScep, 'Challenge'));
    count = (await allEvents()).length;
    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: phase1.challenge }, otherIdentity)).status, "another enrollment's identity").to.equal(403);
    expect((await answer(phase1.enrollmentId, { UDID: otherUdid }, identity)).status, 'another UDID than phase 2').to.equal(403);
    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: other.challenge }, identity)).status, "another enrollment's challenge").to.equal(401);
    // Apple's certificate again after phase 2: that is phase 2 once more, and its challenge is spent.
    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: phase1.challenge }, device, chain)).status).to.equal(401);
    await nothingRecorded('refused phase-3 answers');

    expect((await answer(phase1.enrollmentId, { UDID: udid, CHALLENGE: phase1.challenge }, identity)).status, 'the right identity').to.equal(200);
    expect((await get('/healthz')).status, 'the server keeps running').to.equal(200);
  });
});

describe('web enrollment with MDM_ENROLLMENT_OTA=false', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let caPem: string;

  before(async () => {
    dir = tempDir('mdm-web-');
    caPem = (await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 })).certificatePem();
    const apnsCa = await createTestCa('APNs stand-in CA');
    const apnsServer = await issueServerCertificate(apnsCa, ['127.0.0.1', 'localhost']);
    const push = await createApnsPushCertificate(apnsCa);
    apns = await ApnsStandIn.start({ certPem: apnsServer.certPem, keyPem: apnsServer.keyPem, clientCaPem: apnsCa.certPem });
    writeFileSync(join(dir.path, 'push.pem'), push.certPem);
    writeFileSync(join(dir.path, 'push.key'), push.keyPem, { mode: 0o600 });
    writeFileSync(join(dir.path, 'apns-ca.pem'), apnsCa.certPem);
    const added = await runCli(['user', 'add', 'erin', '--group', 'Lab'], { MDM_DATA_DIR: dir.path, MDM_USER_PASSWORD: PASSWORD });
    expect(added.code, added.stderr).to.equal(0);
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'), MDM_ENROLLMENT_OTA: 'false',
    }), jsonLogger({ write: () => undefined }));
  });

  after(async () => {
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  it('answers a sign-in with the enrollment profile itself and records a web enrollment with the user', async () => {
    const url = server.deviceUrl.replace('127.0.0.1', 'localhost');
    const page = await httpsRequest(`${url}/enroll`, caPem);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const token = /name="form_token" value="([^"]+)"/.exec(page.body.toString('utf8'))![1]!;
    const res = await httpsRequest(`${url}/enroll`, caPem, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ form_token: token, username: 'ERIN', password: PASSWORD }).toString() });
    expect(res.status).to.equal(200);
    const profile = asDict(parsePlist(signedContent(res.body)));
    const payloads = getArray(profile, 'PayloadContent').map((p) => asDict(p));
    expect(payloads.map((p) => getString(p, 'PayloadType'))).to.deep.equal(['com.apple.security.root', 'com.apple.security.scep', 'com.apple.mdm']);
    const enrollmentId = (getDict(payloads[1]!, 'PayloadContent')['Subject'] as string[][][])[0]![0]![1]!;
    const reader = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      const stream: RecordedEvent[] = await reader.readStream(`enrollment-${enrollmentId}`);
      expect(stream.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentProfileServed']);
      expect(stream[0]!.data).to.include({ method: 'web', user: 'erin', group: 'Lab' });
      expect(stream[1]!.data).to.include({ profile: 'mdm', signed: true, encrypted: false });
    } finally {
      await reader.close();
    }
  });
});
