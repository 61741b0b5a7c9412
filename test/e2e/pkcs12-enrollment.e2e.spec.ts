import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issuedCertificateStreamId } from '../../application/certificates/issued-certificates.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { systemClock } from '../../application/ports/clock.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getData, getDict, getString, parsePlist, type PlistValue } from '../../infrastructure/plist/index.js';
import { createApnsPushCertificate } from '../apns/apns-certificate-fixture.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { filesContaining } from '../support/find-secret.js';
import { answerPlist, httpsRequest, openEnvelopedData, scepEnroll, signAttachedCms, signedContent, standInAppleCa, type StandInAppleCa } from '../support/ota-device.js';
import { firstCertificatePem, openWithForge, opensslPkcs12 } from '../support/pkcs12-tools.js';
import { createTestCa, issueServerCertificate } from '../support/pki.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

const hasPython = spawnSync('python3', ['-c', 'import plistlib']).status === 0;
const USER_PASSWORD = 'correct horse battery';

interface Pkcs12Payload {
  readonly enrollmentId: string;
  readonly password: string;
  readonly der: Buffer;
  readonly certPem: string;
  readonly keyPem: string;
  readonly sha256: string;
}

/** The identity payload of an enrollment profile's payloads: PKCS#12, opened with its own password. */
function pkcs12Of(payloads: readonly PlistValue[]): Pkcs12Payload {
  const [ca, identity, mdm] = payloads.map((p) => asDict(p));
  expect(getString(ca!, 'PayloadType')).to.equal('com.apple.security.root');
  expect(getString(identity!, 'PayloadType')).to.equal('com.apple.security.pkcs12');
  expect(getString(mdm!, 'PayloadType')).to.equal('com.apple.mdm');
  expect(getString(mdm!, 'IdentityCertificateUUID')).to.equal(getString(identity!, 'PayloadUUID'));
  expect(identity, 'no SCEP request in a PKCS#12 profile').to.not.have.property('URL');
  const password = getString(identity!, 'Password');
  const der = getData(identity!, 'PayloadContent');
  const { keyPem, certificatesPem } = openWithForge(der, password);
  const certificate = new X509Certificate(certificatesPem[0]!);
  expect(certificate.checkPrivateKey(createPrivateKey(keyPem))).to.equal(true);
  return { enrollmentId: certificate.subject.replace(/^CN=/, ''), password, der, certPem: certificatesPem[0]!, keyPem, sha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase() };
}

/** A server with MDM_PROFILE_IDENTITY=pkcs12 and a push certificate (profiles need its Topic); logs kept. */
async function startPkcs12Server(dir: string, apns: ApnsStandIn, apnsCaPem: string, extra: Record<string, string>, logLines: string[]): Promise<RunningServer> {
  writeFileSync(join(dir, 'apns-ca.pem'), apnsCaPem);
  return startServer(loadConfig({
    MDM_DATA_DIR: dir, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
    MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir, 'push.key'),
    MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir, 'apns-ca.pem'), MDM_PROFILE_IDENTITY: 'pkcs12', ...extra,
  }), jsonLogger({ write: (line) => void logLines.push(line) }));
}

/**
 * MDM_PROFILE_IDENTITY=pkcs12 against running servers: every enrollment profile (token link, OTA
 * phase 3, and the sign-in page with OTA off) carries a PKCS#12 the server issued, which openssl
 * and python3 read independently and with which a device authenticates.
 */
describe('enrollment profiles with a PKCS#12 identity (MDM_PROFILE_IDENTITY=pkcs12)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let scratch: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let apnsCaPem: string;
  let caPem: string;
  let topic: string;
  let apple: StandInAppleCa;
  let reader: SqliteEventStore;
  let tokens: EnrollmentTokens;
  const logLines: string[] = [];

  async function preparePush(path: string): Promise<void> {
    const push = await createApnsPushCertificate(await createTestCa('APNs stand-in CA (push)'));
    topic = push.topic;
    writeFileSync(join(path, 'push.pem'), push.certPem);
    writeFileSync(join(path, 'push.key'), push.keyPem, { mode: 0o600 });
  }

  before(async () => {
    dir = tempDir('mdm-p12-e2e-');
    // Keys and passwords the test handles go here, away from the server's data directory it searches.
    scratch = tempDir('mdm-p12-scratch-');
    caPem = (await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 })).certificatePem();
    const apnsCa = await createTestCa('APNs stand-in CA');
    apnsCaPem = apnsCa.certPem;
    const apnsServer = await issueServerCertificate(apnsCa, ['127.0.0.1', 'localhost']);
    apns = await ApnsStandIn.start({ certPem: apnsServer.certPem, keyPem: apnsServer.keyPem, clientCaPem: apnsCa.certPem });
    await preparePush(dir.path);
    apple = standInAppleCa(await createTestCa('Stand-in Apple Root CA'));
    writeFileSync(join(dir.path, 'apple-ca.pem'), apple.root.certPem);
    server = await startPkcs12Server(dir.path, apns, apnsCaPem, { MDM_OTA_APPLE_CA_FILE: join(dir.path, 'apple-ca.pem') }, logLines);
    reader = new SqliteEventStore(join(dir.path, 'events.db'));
    tokens = new EnrollmentTokens(reader, systemClock);
  });

  after(async () => {
    await reader?.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
    scratch?.remove();
  });

  const base = () => server.deviceUrl.replace('127.0.0.1', 'localhost');
  const streamTypes = async (streamId: string) => (await reader.readStream(streamId)).map((e) => e.type);

  async function allEvents(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (let after: number | undefined; ;) {
      const page = await reader.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1_000 });
      events.push(...page);
      if (page.length < 1_000) return events;
      after = page[page.length - 1]!.position;
    }
  }

  /** Authenticate and TokenUpdate with the profile's identity, signed (the profile's SignMessage) or over mTLS. */
  async function checkIn(identity: Pkcs12Payload, udid: string, auth: 'signature' | 'mtls'): Promise<void> {
    const device = new TestDevice({ serverUrl: base(), serverCaPem: caPem, udid, certPem: identity.certPem, keyPem: identity.keyPem, auth });
    try {
      expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
      expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('5c5c', 'hex'), PushMagic: 'pm' })).status).to.equal(200);
      expect((await device.report({ Status: 'Idle' })).status).to.equal(200);
    } finally {
      device.close();
    }
  }

  /** The issuance is recorded as SCEP's is, and no key or password reached the store, the data directory or the log. */
  async function expectRecordedWithoutSecrets(identity: Pkcs12Payload): Promise<void> {
    const [issued] = await reader.readStream(issuedCertificateStreamId(identity.sha256));
    expect(issued?.type).to.equal('CertificateIssued');
    expect(issued!.data).to.deep.include({ via: 'PKCS12', enrollmentId: identity.enrollmentId, sha256: identity.sha256, serialNumber: new X509Certificate(identity.certPem).serialNumber.toLowerCase() });
    const identitySteps = (await reader.readStream(`enrollment-${identity.enrollmentId}`)).filter((e) => e.type === 'EnrollmentIdentityIssued');
    expect(identitySteps.map((e) => (e.data as { certificateSha256: string }).certificateSha256)).to.include(identity.sha256);

    const keyDer = createPrivateKey(identity.keyPem).export({ type: 'pkcs8', format: 'der' });
    const everything = JSON.stringify(await allEvents());
    expect(everything).to.not.contain(identity.password);
    expect(everything).to.not.contain(keyDer.toString('base64').slice(0, 64));
    expect(filesContaining(dir.path, Buffer.from(identity.password)), 'the password in the data directory').to.deep.equal([]);
    expect(filesContaining(dir.path, keyDer.subarray(0, 512)), 'the key in the data directory').to.deep.equal([]);
    expect(filesContaining(dir.path, identity.der), 'the PKCS#12 in the data directory').to.deep.equal([]);
    expect(logLines.join('')).to.not.contain(identity.password);
    expect(logLines.join('')).to.not.contain(keyDer.toString('base64').slice(0, 64));
  }

  it('POST /enroll/<token>: the profile\'s PKCS#12 opens with its password (node-forge, openssl, python3), CN=<enrollment id>, and the device authenticates with it', async () => {
    const { token } = await tokens.create({ user: 'alice', actor: { kind: 'admin', id: 'e2e' } });
    const res = await httpsRequest(`${base()}/enroll/${token}?unsigned=1`, caPem, { method: 'POST' });
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.contain('application/x-apple-aspen-config');
    const identity = pkcs12Of(getArray(asDict(parsePlist(res.body)), 'PayloadContent'));
    const started = (await reader.readStream(`enrollment-${identity.enrollmentId}`))[0];
    expect(started?.type, 'the certificate is named for the enrollment the token started').to.equal('EnrollmentStarted');
    expect(started!.data).to.deep.include({ method: 'token', user: 'alice' });

    if (opensslCliAvailable) {
      writeFileSync(join(scratch.path, 'token.p12'), identity.der);
      const opened = opensslPkcs12(join(scratch.path, 'token.p12'), identity.password);
      expect(opened.status, opened.stderr).to.equal(0);
      expect(opened.stdout).to.contain('-----BEGIN PRIVATE KEY-----');
      expect(opened.stdout).to.contain(`subject=CN = ${identity.enrollmentId}`);
      writeFileSync(join(scratch.path, 'token-leaf.pem'), firstCertificatePem(opened.stdout));
      const verified = spawnSync('openssl', ['verify', '-CAfile', join(dir.path, 'ca', 'ca.pem'), join(scratch.path, 'token-leaf.pem')], { encoding: 'utf8' });
      expect(verified.stdout.trim(), verified.stderr).to.match(/: OK$/);
      expect(readFileSync(join(scratch.path, 'token-leaf.pem'), 'utf8').replace(/\s/g, '')).to.equal(identity.certPem.replace(/\s/g, ''));
    } else {
      console.log('      (openssl missing: PKCS#12 and certificate chain not cross-checked)');
    }
    if (hasPython) {
      const script = 'import plistlib,sys,json,base64; p=plistlib.loads(sys.stdin.buffer.read()); i=p["PayloadContent"][1]; print(json.dumps([[c["PayloadType"] for c in p["PayloadContent"]], i["Password"], base64.b64encode(i["PayloadContent"]).decode()]))';
      const [types, password, content] = JSON.parse(execFileSync('python3', ['-c', script], { input: res.body }).toString()) as [string[], string, string];
      expect(types).to.deep.equal(['com.apple.security.root', 'com.apple.security.pkcs12', 'com.apple.mdm']);
      expect(password).to.equal(identity.password);
      expect(content).to.equal(identity.der.toString('base64'));
    } else {
      console.log('      (python3 missing: profile not cross-checked with plistlib)');
    }

    await expectRecordedWithoutSecrets(identity);
    const udid = `00008030-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    await checkIn(identity, udid, 'signature');
    const steps = await reader.readStream(`enrollment-${identity.enrollmentId}`);
    expect(steps.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued', 'EnrollmentProfileServed', 'EnrollmentDeviceAuthenticated']);
    expect(steps[3]!.data).to.deep.include({ udid, certificateSha256: identity.sha256, user: 'alice' });
    expect(await streamTypes(`device-${udid}`)).to.include('DeviceEnrolled');
  });

  it('the same identity also authenticates over TLS client authentication, and a second token gets another key', async () => {
    const first = pkcs12Of(getArray(asDict(parsePlist((await httpsRequest(`${base()}/enroll/${(await tokens.create({ actor: { kind: 'admin', id: 'e2e' } })).token}?unsigned=1`, caPem, { method: 'POST' })).body)), 'PayloadContent'));
    const second = pkcs12Of(getArray(asDict(parsePlist((await httpsRequest(`${base()}/enroll/${(await tokens.create({ actor: { kind: 'admin', id: 'e2e' } })).token}?unsigned=1`, caPem, { method: 'POST' })).body)), 'PayloadContent'));
    expect(second.enrollmentId).to.not.equal(first.enrollmentId);
    expect(second.password).to.not.equal(first.password);
    expect(second.keyPem).to.not.equal(first.keyPem);
    const udid = `00008030-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    await checkIn(first, udid, 'mtls');
    expect(await streamTypes(`enrollment-${first.enrollmentId}`)).to.include('EnrollmentDeviceAuthenticated');
  });

  it('OTA phase 3: the enrollment profile encrypted to the phase-2 identity carries the PKCS#12, and the device authenticates with it', async () => {
    const added = await runCli(['user', 'add', 'carol', '--group', 'Ops'], { MDM_DATA_DIR: dir.path, MDM_USER_PASSWORD: USER_PASSWORD });
    expect(added.code, added.stderr).to.equal(0);
    const page = await httpsRequest(`${base()}/enroll`, caPem);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.body.toString('utf8'))![1]!;
    const signIn = await httpsRequest(`${base()}/enroll`, caPem, { method: 'POST', body: new URLSearchParams({ form_token: formToken, username: 'carol', password: USER_PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
    expect(signIn.status).to.equal(200);
    const service = getDict(asDict(parsePlist(signedContent(signIn.body))), 'PayloadContent');
    const enrollmentId = getString(service, 'URL').split('/').pop()!;
    const challenge = getString(service, 'Challenge');
    const udid = `00008030-${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const post = (body: Buffer) => httpsRequest(`${base()}/ota/${enrollmentId}`, caPem, { method: 'POST', body, headers: { 'content-type': 'application/pkcs7-signature' } });

    // Phase 2 stays SCEP: the device needs a key of its own to receive the encrypted profile.
    const phase2 = await post(signAttachedCms(answerPlist({ UDID: udid, VERSION: '22A3354', PRODUCT: 'iPhone15,2', CHALLENGE: challenge }), apple.device(udid), [apple.intermediate.certPem]));
    expect(phase2.status).to.equal(200);
    const scep = asDict(getArray(asDict(parsePlist(signedContent(phase2.body))), 'PayloadContent')[0]);
    expect(getString(scep, 'PayloadType')).to.equal('com.apple.security.scep');
    const otaIdentity = await scepEnroll(`${base()}/scep`, caPem, enrollmentId, getString(getDict(scep, 'PayloadContent'), 'Challenge'));
    expect(otaIdentity.status).to.equal('0');

    const phase3 = await post(signAttachedCms(answerPlist({ UDID: udid, VERSION: '22A3354', PRODUCT: 'iPhone15,2', CHALLENGE: challenge }), otaIdentity));
    expect(phase3.status).to.equal(200);
    const outer = asDict(parsePlist(signedContent(phase3.body)));
    expect(outer['IsEncrypted']).to.equal(true);
    const identity = pkcs12Of(parsePlist(openEnvelopedData(getData(outer, 'EncryptedPayloadContent'), otaIdentity)) as PlistValue[]);
    expect(identity.enrollmentId).to.equal(enrollmentId);
    expect(identity.sha256).to.not.equal(new X509Certificate(otaIdentity.certPem).fingerprint256.replace(/:/g, '').toLowerCase());

    await expectRecordedWithoutSecrets(identity);
    await checkIn(identity, udid, 'signature');
    const steps = await reader.readStream(`enrollment-${enrollmentId}`);
    const authenticated = steps.find((e) => e.type === 'EnrollmentDeviceAuthenticated');
    expect(authenticated?.data).to.deep.include({ udid, certificateSha256: identity.sha256, user: 'carol', group: 'Ops' });
    const served = steps.filter((e) => e.type === 'EnrollmentProfileServed').map((e) => (e.data as { profile: string; encrypted: boolean }));
    expect(served.map((s) => [s.profile, s.encrypted])).to.deep.equal([['profile-service', false], ['identity', false], ['mdm', true]]);
  });

  describe('with OTA off (MDM_ENROLLMENT_OTA=false)', () => {
    let webDir: ReturnType<typeof tempDir>;
    let webServer: RunningServer;
    let webReader: SqliteEventStore;
    const webLog: string[] = [];

    before(async () => {
      webDir = tempDir('mdm-p12-web-');
      await preparePush(webDir.path);
      webServer = await startPkcs12Server(webDir.path, apns, apnsCaPem, { MDM_ENROLLMENT_OTA: 'false' }, webLog);
      const added = await runCli(['user', 'add', 'dave'], { MDM_DATA_DIR: webDir.path, MDM_USER_PASSWORD: USER_PASSWORD });
      expect(added.code, added.stderr).to.equal(0);
      webReader = new SqliteEventStore(join(webDir.path, 'events.db'));
    });

    after(async () => {
      await webReader?.close();
      await webServer?.stop();
      webDir?.remove();
    });

    it('signing in answers the enrollment profile with a PKCS#12 identity named for the new enrollment', async () => {
      const url = `${webServer.deviceUrl.replace('127.0.0.1', 'localhost')}/enroll`;
      const webCa = readFileSync(join(webDir.path, 'ca', 'ca.pem'), 'utf8');
      const page = await httpsRequest(url, webCa);
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      const formToken = /name="form_token" value="([^"]+)"/.exec(page.body.toString('utf8'))![1]!;
      const signIn = await httpsRequest(url, webCa, { method: 'POST', body: new URLSearchParams({ form_token: formToken, username: 'dave', password: USER_PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
      expect(signIn.status).to.equal(200);
      const identity = pkcs12Of(getArray(asDict(parsePlist(signedContent(signIn.body))), 'PayloadContent'));
      expect(new X509Certificate(identity.certPem).verify(new X509Certificate(webCa).publicKey)).to.equal(true);
      const steps = await webReader.readStream(`enrollment-${identity.enrollmentId}`);
      expect(steps.map((e) => e.type)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued', 'EnrollmentProfileServed']);
      expect(steps[0]!.data).to.deep.include({ method: 'web', user: 'dave' });
      const [issued] = await webReader.readStream(issuedCertificateStreamId(identity.sha256));
      expect(issued!.data).to.deep.include({ via: 'PKCS12', enrollmentId: identity.enrollmentId });
      expect(JSON.stringify(await webReader.readAll())).to.not.contain(identity.password);
      expect(webLog.join('')).to.not.contain(identity.password);
    });
  });
});
