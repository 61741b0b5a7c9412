import { expect } from 'chai';
import { X509Certificate, randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { join } from 'node:path';
import forge from 'node-forge';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { REVOCATIONS_STREAM } from '../../application/certificates/certificate-revocations.js';
import { systemClock } from '../../application/ports/clock.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { deviceDecider, deviceStreamId, type DeviceEvent } from '../../domain/device/device.js';
import { enrollmentStreamId } from '../../domain/enrollment/enrollment.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { startApnsWithPushFiles } from '../support/apns-push-files.js';
import { issueDeviceIdentity, pooledKeyPair } from '../support/pki.js';
import { buildPkiMessage, issuedCertificate, parseCertRep, selfSignedSigner } from '../support/scep-client-message.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

function call(url: string, ca: string, method = 'GET', body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, servername: 'localhost', headers: body ? { 'content-type': 'application/x-pki-message', 'content-length': String(body.length) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The whole enrollment as a device goes through it (enrollment link → profile → SCEP with the
 * profile's one-time challenge → Authenticate and TokenUpdate with the issued identity) on a
 * server with MDM_ENROLLMENT_QUARANTINE=true, and an admin's decision made with the CLI, another
 * process on the same store.
 */
describe('enrollment steps and quarantine, end to end', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let mdmCa: FileCertificateAuthority;
  let caPem: string;
  let topic: string;
  let store: SqliteEventStore;
  let tokens: EnrollmentTokens;
  const devices: TestDevice[] = [];

  before(async () => {
    dir = tempDir();
    mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    caPem = mdmCa.certificatePem();
    ({ apns, topic } = await startApnsWithPushFiles(dir.path));
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_AUTOMATION: 'false', MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'),
      MDM_ENROLLMENT_QUARANTINE: 'true',
    }), jsonLogger({ write: () => undefined }));
    // An admin's tools: their own connection to the store, while the server runs.
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    tokens = new EnrollmentTokens(store, systemClock);
  });

  after(async () => {
    for (const d of devices) d.close();
    await store?.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const deviceUrl = () => server.deviceUrl.replace('127.0.0.1', 'localhost');
  const cli = (...args: string[]) => runCli(['enrollment', ...args], { MDM_DATA_DIR: dir.path });
  const typesOf = (events: RecordedEvent[]) => events.map((e) => e.type);

  /** The device's side: fetch the profile, enroll the identity it asks for, check in with it. */
  async function enroll(user: string): Promise<{ device: TestDevice; enrollmentId: string; pushToken: string; certificateSha256: string }> {
    const { token } = await tokens.create({ user, actor: { kind: 'admin', id: 'e2e' } });
    const served = await call(`${deviceUrl()}/enroll/${token}?unsigned=1`, caPem, 'POST');
    expect(served.status).to.equal(200);
    const scepPayload = getDict(asDict(getArray(asDict(parsePlist(served.body)), 'PayloadContent')[1]), 'PayloadContent');
    const challenge = getString(scepPayload, 'Challenge');
    const enrollmentId = (scepPayload['Subject'] as string[][][])[0]![0]![1]!;

    const caCert = await call(`${deviceUrl()}/scep?operation=GetCACert`, caPem);
    const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(caCert.body.toString('binary'))) as forge.pkcs7.PkcsSignedData;
    const raPem = forge.pki.certificateToPem(p7.certificates.find((c) => c.subject.getField('CN')?.value === 'MDM SCEP RA')!);
    const client = selfSignedSigner(pooledKeyPair(), enrollmentId);
    const answer = await call(`${deviceUrl()}/scep?operation=PKIOperation`, caPem, 'POST', buildPkiMessage(client, raPem, { commonName: enrollmentId, challenge }));
    expect(answer.status).to.equal(200);
    const rep = parseCertRep(answer.body);
    expect(rep.pkiStatus, 'SCEP success').to.equal('0');
    const certPem = issuedCertificate(rep.content, client);
    const certificateSha256 = new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();

    const udid = `0000Q${randomUUID().replace(/-/g, '').slice(0, 19).toUpperCase()}`;
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem: caPem, udid, certPem, keyPem: client.key.privateKeyPem, auth: 'signature' });
    devices.push(device);
    const pushToken = randomUUID().replace(/-/g, '');
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic, SerialNumber: 'F2LXK0XXHG7F', Model: 'iPhone14,5', OSVersion: '17.4', DeviceName: `${user}'s iPhone` })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from(pushToken, 'hex'), PushMagic: `magic-${udid}` })).status).to.equal(200);
    return { device, enrollmentId, pushToken, certificateSha256 };
  }

  async function deviceState(udid: string) {
    return (await store.readStream(deviceStreamId(udid))).reduce((s, e) => deviceDecider.evolve(s, { type: e.type, data: e.data } as DeviceEvent), deviceDecider.initialState());
  }

  it('records every step in order, holds the device (no command, no push) until approve, then pushes and delivers', async () => {
    const { device, enrollmentId, pushToken, certificateSha256 } = await enroll('alice');

    const steps = await store.readStream(enrollmentStreamId(enrollmentId));
    expect(typesOf(steps)).to.deep.equal(['EnrollmentStarted', 'EnrollmentProfileServed', 'EnrollmentIdentityIssued', 'EnrollmentDeviceAuthenticated', 'EnrollmentQuarantined']);
    expect(steps[1]!.data).to.include({ profile: 'mdm', signed: false, encrypted: false });
    expect(steps[2]!.data).to.include({ certificateSha256 });
    expect(steps[3]!.data).to.include({ udid: device.udid, user: 'alice', certificateSha256 });
    const state = await deviceState(device.udid);
    expect(state.status).to.equal('enrolled');
    expect(state.enrollment).to.deep.equal({ enrollmentId, user: 'alice' });
    expect(state.quarantine).to.include({ status: 'held', enrollmentId, certificateHash: certificateSha256 });

    // Another device with this enrollment's identity is refused before anything is recorded for it.
    const impostor = new TestDevice({ ...device.options, udid: `0000X${randomUUID().replace(/-/g, '').slice(0, 19).toUpperCase()}` });
    devices.push(impostor);
    expect((await impostor.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(403);
    expect(await store.readStream(deviceStreamId(impostor.udid))).to.deep.equal([]);

    const idle = await device.report({ Status: 'Idle' });
    expect(idle.status).to.equal(200);
    expect(idle.body.length).to.equal(0);

    const commandUuid = randomUUID();
    const queued = await server.services.commandQueue.enqueue([device.udid], { requestType: 'DeviceInformation', Queries: ['UDID', 'OSVersion'] }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    expect(queued).to.deep.equal([{ udid: device.udid, outcome: 'queued' }]);
    await sleep(1500);
    expect(apns.pushes.filter((p) => p.token === pushToken), 'no push while quarantined').to.deep.equal([]);
    const held = await device.report({ Status: 'Idle' });
    expect(held.status).to.equal(200);
    expect(held.body.length, 'no command while quarantined').to.equal(0);

    const waiting = await cli('list', '--quarantined');
    expect(waiting.code, waiting.stderr).to.equal(0);
    expect(waiting.stdout).to.match(new RegExp(`^${enrollmentId} +token +alice +- +${device.udid} +device-authenticated +quarantined`, 'm'));

    const pushed = apns.nextPush((p) => p.token === pushToken, 15_000);
    const approved = await cli('approve', enrollmentId);
    expect(approved.code, approved.stderr).to.equal(0);
    expect(approved.stdout).to.equal(`approved: enrollment ${enrollmentId}, device ${device.udid}\n`);
    const push = await pushed;
    expect(push.body).to.equal(JSON.stringify({ mdm: `magic-${device.udid}` }));

    const delivered = await device.report({ Status: 'Idle' });
    expect(delivered.status).to.equal(200);
    expect(getString(asDict(parsePlist(delivered.body)), 'CommandUUID')).to.equal(commandUuid);
    expect(typesOf(await store.readStream(enrollmentStreamId(enrollmentId))).at(-1)).to.equal('EnrollmentApproved');
    expect((await deviceState(device.udid)).quarantine?.status).to.equal('approved');

    const again = await cli('approve', device.udid);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.equal(`already approved: enrollment ${enrollmentId}, device ${device.udid}\n`);
    expect((await cli('list', '--quarantined')).stdout).to.not.contain(enrollmentId);

    const shown = await cli('show', device.udid);
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain(`enrollment:  ${enrollmentId}\n`);
    expect(shown.stdout).to.contain('user:        alice\n');
    expect(shown.stdout).to.match(/quarantine: {2}approved since \d{4}-/);
    const order = ['EnrollmentStarted', 'EnrollmentProfileServed', 'EnrollmentIdentityIssued', 'EnrollmentDeviceAuthenticated', 'EnrollmentQuarantined', 'EnrollmentApproved'].map((t) => shown.stdout.indexOf(`Z  ${t}`));
    expect(order.every((i) => i > 0), shown.stdout).to.equal(true);
    expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
    expect(shown.stdout).to.not.contain('magic-');
  });

  it('reject: the device is told to unenroll, its certificate is revoked, and the decision stands', async () => {
    const { device, enrollmentId, pushToken, certificateSha256 } = await enroll('mallory');

    const pushed = apns.nextPush((p) => p.token === pushToken, 15_000);
    const rejected = await cli('reject', device.udid, '--reason', 'not a company device');
    expect(rejected.code, rejected.stderr).to.equal(0);
    expect(rejected.stdout).to.contain(`rejected: enrollment ${enrollmentId}, device ${device.udid}\n`);
    // The device's certificate is revoked, for this reason.
    const revocation = (await store.readStream(REVOCATIONS_STREAM)).find((e) => (e.data as { sha256?: string }).sha256 === certificateSha256);
    expect(revocation?.type).to.equal('CertificateRevoked');
    expect(revocation!.data).to.include({ sha256: certificateSha256, reason: 'enrollment-rejected' });
    // The server wakes the device so it hears the answer now.
    await pushed;

    const idle = await device.report({ Status: 'Idle' });
    expect(idle.status).to.equal(403);
    expect(JSON.parse(idle.body.toString())).to.deep.equal({ code: 'com.apple.unrecognized.device', description: 'This device is no longer managed by this server.' });
    // Once the server has read the revocation too (it polls every 2 s), the answer is the same.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const later = await device.report({ Status: 'Idle' });
    expect(later.status).to.equal(403);
    expect(JSON.parse(later.body.toString())).to.deep.equal({ code: 'com.apple.unrecognized.device', description: 'This device is no longer managed by this server.' });
    const steps = await store.readStream(enrollmentStreamId(enrollmentId));
    expect(typesOf(steps).at(-1)).to.equal('EnrollmentRejected');
    expect(steps.at(-1)!.data).to.include({ udid: device.udid, certificateSha256, reason: 'not a company device' });
    expect(typesOf(await store.readStream(deviceStreamId(device.udid)))).to.include.members(['DeviceRejected', 'DeviceUnenrollmentRequested']);

    // Its certificate is revoked: every later request, a CheckOut or a new Authenticate, gets the
    // same answer, and the rejected enrollment refuses it for good.
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: topic })).status).to.equal(403);
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(403);

    const again = await cli('reject', enrollmentId);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('already rejected');
    const approve = await cli('approve', enrollmentId);
    expect(approve.code).to.equal(1);
    expect(approve.stderr).to.contain('was already rejected');
  });

  it('holds a device whose certificate names no enrollment, and approve by UDID lets it in', async () => {
    const udid = `0000S${randomUUID().replace(/-/g, '').slice(0, 19).toUpperCase()}`;
    const identity = await issueDeviceIdentity({ ca: mdmCa } as never, udid);
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem: caPem, udid, certPem: identity.certPem, keyPem: identity.keyPem, auth: 'mtls' });
    devices.push(device);
    const pushToken = randomUUID().replace(/-/g, '');
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from(pushToken, 'hex'), PushMagic: 'pm' })).status).to.equal(200);
    const state = await deviceState(udid);
    expect(state.enrollment).to.equal(undefined);
    expect(state.quarantine?.status).to.equal('held');
    const commandUuid = randomUUID();
    await server.services.commandQueue.enqueue([udid], { requestType: 'ProfileList' }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    expect((await device.report({ Status: 'Idle' })).body.length).to.equal(0);
    expect((await cli('list', '--quarantined')).stdout).to.match(new RegExp(`^- +- +- +- +${udid} +device-authenticated +quarantined`, 'm'));

    const pushed = apns.nextPush((p) => p.token === pushToken, 15_000);
    const approved = await cli('approve', udid);
    expect(approved.code, approved.stderr).to.equal(0);
    expect(approved.stdout).to.equal(`approved: device ${udid}\n`);
    await pushed;
    expect(getString(asDict(parsePlist((await device.report({ Status: 'Idle' })).body)), 'CommandUUID')).to.equal(commandUuid);
  });

  it('refuses to decide about an enrollment that is not quarantined, and explains usage errors', async () => {
    const { token } = await tokens.create({ actor: { kind: 'admin', id: 'e2e' } });
    const served = await call(`${deviceUrl()}/enroll/${token}?unsigned=1`, caPem, 'POST');
    const enrollmentId = (getDict(asDict(getArray(asDict(parsePlist(served.body)), 'PayloadContent')[1]), 'PayloadContent')['Subject'] as string[][][])[0]![0]![1]!;
    const refused = await cli('approve', enrollmentId);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain(`enrollment ${enrollmentId} is not quarantined (no device has authenticated with it yet)`);
    expect((await cli('reject', 'no-such-device')).stderr).to.contain('no enrollment or device no-such-device');
    expect((await cli('approve')).code).to.equal(2);
    expect((await cli('reject', 'x', '--reason', 'a\nb')).code).to.equal(2);
    expect((await cli('frobnicate')).code).to.equal(2);
    const help = await runCli(['enrollment', '--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('mdm enrollment approve <udid|enrollment id>');
  });
});
