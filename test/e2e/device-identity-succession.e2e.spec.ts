import { expect } from 'chai';
import { randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { issuedCertificateStreamId, type CertificateIssued } from '../../application/certificates/issued-certificates.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { certificateStreamId } from '../../domain/certificate/certificate-binding.js';
import { deviceDecider, deviceStreamId, type DeviceEvent } from '../../domain/device/device.js';
import { securityStreamId } from '../../domain/security/identity-refused.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getArray, getDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { settableClock, type SettableClock } from '../identity/identity-doubles.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { startApnsWithPushFiles } from '../support/apns-push-files.js';
import { pooledKeyPair, type TestKeyPair } from '../support/pki.js';
import { buildPkiMessage, issuedCertificate, parseCertRep, selfSignedSigner, type ScepClientIdentity } from '../support/scep-client-message.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

const DAY = 24 * 3600_000;
const STATIC_CHALLENGE = 'static-scep-challenge-e2e-7f3a';
const sha256Of = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
const RENEWAL_REQ = 17;

interface Identity {
  readonly certPem: string;
  readonly key: TestKeyPair;
  readonly sha256: string;
  readonly commonName: string;
}

function post(url: string, ca: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/x-pki-message', 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Which certificate may speak for an enrolled device, through the running server: only a renewal
 * of the device's own certificate takes its place, whatever the new certificate's subject says; a
 * device whose identity ended without a CheckOut (wiped, rejected, expired) enrolls anew.
 */
describe('device identity: renewal, takeover and re-enrollment after an ended identity, end to end', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let apns: ApnsStandIn;
  let server: RunningServer;
  let clock: SettableClock;
  let caPem: string;
  let topic: string;
  let store: SqliteEventStore;
  const devices: TestDevice[] = [];

  before(async () => {
    dir = tempDir();
    const mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    caPem = mdmCa.certificatePem();
    ({ apns, topic } = await startApnsWithPushFiles(dir.path));
    clock = settableClock(new Date());
    server = await startServer(loadConfig({
      MDM_DATA_DIR: dir.path, MDM_AUTOMATION: 'false', MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_PUBLIC_URL: 'https://mdm.example.com', MDM_PUSH_CERT_FILE: join(dir.path, 'push.pem'), MDM_PUSH_KEY_FILE: join(dir.path, 'push.key'),
      MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: join(dir.path, 'apns-ca.pem'),
      // Anyone who knows it gets a certificate with any subject: the takeover this suite tries.
      MDM_SCEP_CHALLENGE: STATIC_CHALLENGE,
    }), jsonLogger({ write: () => undefined }), clock);
    store = new SqliteEventStore(join(dir.path, 'events.db'));
  });

  after(async () => {
    for (const d of devices) d.close();
    await store?.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const deviceUrl = () => server.deviceUrl.replace('127.0.0.1', 'localhost');
  const revocationOf = (sha256: string) => server.services.certificates.revocations.revocationOf(sha256);
  const typesOf = async (udid: string) => (await store.readStream(deviceStreamId(udid))).map((e) => e.type);
  const deviceState = async (udid: string) =>
    (await store.readStream(deviceStreamId(udid))).reduce((s, e) => deviceDecider.evolve(s, { type: e.type, data: e.data } as DeviceEvent), deviceDecider.initialState());

  /** A SCEP pkiMessage to the server's own /scep; the reply's certificate, as the client opens it. */
  async function scep(signer: ScepClientIdentity, options: Parameters<typeof buildPkiMessage>[2], key: TestKeyPair): Promise<Identity> {
    const raPem = readFileSync(join(dir.path, 'ca', 'scep-ra.pem'), 'utf8');
    const answer = await post(`${deviceUrl()}/scep?operation=PKIOperation`, caPem, buildPkiMessage(signer, raPem, options));
    expect(answer.status).to.equal(200);
    const rep = parseCertRep(answer.body);
    expect(rep.pkiStatus, 'SCEP status').to.equal('0');
    const certPem = issuedCertificate(rep.content, signer);
    return { certPem, key, sha256: sha256Of(certPem), commonName: options.commonName };
  }

  /** PKCSReq, as a device installing a profile does. */
  function pkcsReq(commonName: string, challenge: string): Promise<Identity> {
    const key = pooledKeyPair();
    return scep(selfSignedSigner(key, commonName), { commonName, challenge }, key);
  }

  /** An enrollment link redeemed, its profile's SCEP payload carried out: a new enrollment's identity. */
  async function enrollmentIdentity(group?: string): Promise<Identity> {
    const { token } = await new EnrollmentTokens(store, clock).create({ ...(group ? { group } : {}), actor: { kind: 'admin', id: 'e2e' } });
    const served = await new Promise<Buffer>((resolve, reject) => {
      const req = request(`${deviceUrl()}/enroll/${token}?unsigned=1`, { method: 'POST', ca: caPem, servername: 'localhost' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`enrollment link answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
    const payload = getDict(asDict(getArray(asDict(parsePlist(served)), 'PayloadContent')[1]), 'PayloadContent');
    const enrollmentId = (payload['Subject'] as string[][][])[0]![0]![1]!;
    return pkcsReq(enrollmentId, getString(payload, 'Challenge'));
  }

  function deviceWith(udid: string, identity: Identity): TestDevice {
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem: caPem, udid, certPem: identity.certPem, keyPem: identity.key.privateKeyPem, auth: 'signature' });
    devices.push(device);
    return device;
  }

  async function enroll(device: TestDevice): Promise<void> {
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic, SerialNumber: 'F2LXK0XXHG7F', OSVersion: '17.4' })).status, 'Authenticate').to.equal(200);
    const token = randomUUID().replace(/-/g, '');
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from(token, 'hex'), PushMagic: `pm-${device.udid}`, UnlockToken: Buffer.from('unlock-token-bytes') })).status, 'TokenUpdate').to.equal(200);
  }

  const newUdid = (tag: string) => `0000${tag}${randomUUID().replace(/-/g, '').slice(0, 20 - tag.length).toUpperCase()}`;
  const queue = (udid: string, requestType: string, commandUuid = randomUUID()) =>
    server.services.commandQueue.enqueue([udid], { requestType }, { commandUuid, ttlMs: 800 * DAY, actor: { kind: 'admin', id: 'e2e' } }).then(() => commandUuid);

  it('refuses a certificate the static challenge issued with CN=<UDID>: the victim stays bound to its own, which is not revoked', async () => {
    const udid = newUdid('VICTIM');
    const own = await enrollmentIdentity();
    const victim = deviceWith(udid, own);
    await enroll(victim);
    const waiting = await queue(udid, 'ClearPasscode');
    const before = (await store.readStream(deviceStreamId(udid))).length;

    // The attacker knows the static challenge and asks for the victim's UDID as subject.
    const stolen = await pkcsReq(udid, STATIC_CHALLENGE);
    expect(new X509Certificate(stolen.certPem).subject).to.match(new RegExp(`^CN=${udid}$`, 'm'));
    const issued = (await store.readStream(issuedCertificateStreamId(stolen.sha256)))[0]!.data as CertificateIssued['data'];
    expect(issued).to.not.have.property('renewalOf');
    const attacker = deviceWith(udid, stolen);
    const authenticate = await attacker.checkIn({ MessageType: 'Authenticate', Topic: topic });
    expect([authenticate.status, authenticate.body.length]).to.deep.equal([403, 0]);
    const idle = await attacker.report({ Status: 'Idle' });
    expect([idle.status, idle.body.length], 'no queued command, no unlock token').to.deep.equal([403, 0]);

    expect((await store.readStream(deviceStreamId(udid))).length, 'nothing recorded for the device').to.equal(before);
    expect((await deviceState(udid)).certificateHash).to.equal(own.sha256);
    expect(revocationOf(own.sha256), 'the victim keeps its certificate').to.equal(undefined);
    const mine = await victim.report({ Status: 'Idle' });
    expect(getString(asDict(parsePlist(mine.body)), 'CommandUUID')).to.equal(waiting);
    await new Promise((r) => setTimeout(r, 200));
    const refusals = (await store.readStream(securityStreamId(clock.now().toISOString()))).map((e) => e.data as { reason: string; udid?: string; certificateHash?: string });
    expect(refusals.some((r) => r.reason === 'rebind-refused' && r.certificateHash === stolen.sha256)).to.equal(true);
  });

  it('rebinds to a certificate a SCEP RenewalReq signed with the bound certificate obtained; the old one is superseded', async () => {
    const udid = newUdid('RENEWREQ');
    const own = await enrollmentIdentity();
    const device = deviceWith(udid, own);
    await enroll(device);
    const waiting = await queue(udid, 'ProfileList');

    const signer: ScepClientIdentity = { key: own.key, certPem: own.certPem, certDer: new X509Certificate(own.certPem).raw };
    const newKey = pooledKeyPair();
    const renewed = await scep(signer, { commonName: own.commonName, messageType: RENEWAL_REQ, csrKey: newKey }, newKey);
    const issued = (await store.readStream(issuedCertificateStreamId(renewed.sha256)))[0]!.data as CertificateIssued['data'];
    expect(issued).to.include({ via: 'RenewalReq', renewalOf: own.sha256 });
    const after = deviceWith(udid, renewed);

    expect((await after.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect(getString(asDict(parsePlist((await after.report({ Status: 'Idle' })).body)), 'CommandUUID'), 'the queue stays').to.equal(waiting);
    expect(await typesOf(udid)).to.include('DeviceCertificateRebound');
    expect(revocationOf(own.sha256)).to.include({ reason: 'superseded' });
    expect((await device.report({ Status: 'Idle' })).status, 'the superseded certificate').to.equal(403);
  });

  it('a wiped device enrolls again with a new enrollment: re-enrolled, its old commands cancelled', async () => {
    const udid = newUdid('WIPED');
    const first = await enrollmentIdentity();
    const device = deviceWith(udid, first);
    await enroll(device);
    const erase = await queue(udid, 'EraseDevice');
    const leftover = await queue(udid, 'ProfileList');
    expect(getString(asDict(parsePlist((await device.report({ Status: 'Idle' })).body)), 'CommandUUID')).to.equal(erase);
    expect((await device.report({ Status: 'Acknowledged', CommandUUID: erase })).status).to.equal(200);
    expect(revocationOf(first.sha256)).to.include({ reason: 'wiped' });

    // The erased device comes back through a new enrollment link.
    const second = await enrollmentIdentity();
    const again = deviceWith(udid, second);
    expect((await again.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    const events = await store.readStream(deviceStreamId(udid));
    const restarted = events.at(-1)!;
    expect(restarted.type).to.equal('DeviceEnrollmentStarted');
    expect(restarted.data).to.deep.include({ certificateHash: second.sha256, reenrollment: true, previousIdentity: { certificateHash: first.sha256, ended: 'revoked' } });
    expect(events.at(-2)).to.deep.include({ type: 'CommandCancelled' });
    expect(events.at(-2)!.data).to.include({ commandUuid: leftover, reason: 'reenrolled' });
    const state = await deviceState(udid);
    expect(state).to.include({ status: 'enrolling', certificateHash: second.sha256 });
    expect(state, 'the wiped identity\'s unlock token and push coordinates are gone').to.not.have.any.keys('unlockToken', 'push');
    expect((await store.readStream(certificateStreamId(first.sha256))).map((e) => e.type)).to.deep.equal(['CertificateBound', 'CertificateRetired']);

    expect((await again.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0e0f', 'hex'), PushMagic: 'pm-again' })).status).to.equal(200);
    const idle = await again.report({ Status: 'Idle' });
    expect([idle.status, idle.body.length], 'nothing left from before the wipe').to.deep.equal([200, 0]);
  });

  it('a rejected device, told to unenroll, enrolls again through a new enrollment link', async () => {
    const held = 'held-for-review';
    await new DeviceGroups(store, clock).create(held, { quarantine: true }, { kind: 'admin', id: 'e2e' });
    const udid = newUdid('REJECTED');
    const first = await enrollmentIdentity(held);
    const device = deviceWith(udid, first);
    await enroll(device);
    expect((await deviceState(udid)).quarantine?.status).to.equal('held');
    const rejected = await runCli(['enrollment', 'reject', udid, '--reason', 'not ours'], { MDM_DATA_DIR: dir.path });
    expect(rejected.code, rejected.stderr).to.equal(0);
    const told = await device.report({ Status: 'Idle' });
    expect([told.status, JSON.parse(told.body.toString()).code]).to.deep.equal([403, 'com.apple.unrecognized.device']);
    // The server reads the CLI's revocation within seconds.
    for (const deadline = Date.now() + 10_000; !revocationOf(first.sha256) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    expect(revocationOf(first.sha256)).to.include({ reason: 'enrollment-rejected' });
    // The device removes its enrollment; its CheckOut, made with a revoked certificate, is refused.
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: topic })).status).to.equal(403);
    expect((await deviceState(udid)).unenrollmentRequestedAt).to.be.a('string');

    // A new enrollment (new link, no quarantine) with the same device.
    const second = await enrollmentIdentity();
    const again = deviceWith(udid, second);
    await enroll(again);
    const state = await deviceState(udid);
    expect(state).to.include({ status: 'enrolled', certificateHash: second.sha256 });
    expect(state.unenrollmentRequestedAt, 'it left as asked').to.equal(undefined);
    expect(state.quarantine, 'the rejection was about the old enrollment').to.equal(undefined);
    const idle = await again.report({ Status: 'Idle' });
    expect([idle.status, idle.body.length]).to.deep.equal([200, 0]);
    const commandUuid = await queue(udid, 'ProfileList');
    expect(getString(asDict(parsePlist((await again.report({ Status: 'Idle' })).body)), 'CommandUUID')).to.equal(commandUuid);
    // The rejected enrollment's certificate still gets the unenroll answer.
    expect((await device.report({ Status: 'Idle' })).status).to.equal(403);
  });

  it('a device whose certificate is valid and not revoked keeps it: a new enrollment identity for it is refused', async () => {
    const udid = newUdid('VALID');
    const own = await enrollmentIdentity();
    const device = deviceWith(udid, own);
    await enroll(device);
    const before = (await store.readStream(deviceStreamId(udid))).length;
    const other = deviceWith(udid, await enrollmentIdentity());
    const answer = await other.checkIn({ MessageType: 'Authenticate', Topic: topic });
    expect([answer.status, answer.body.length]).to.deep.equal([403, 0]);
    expect((await store.readStream(deviceStreamId(udid))).length).to.equal(before);
    expect((await device.report({ Status: 'Idle' })).status).to.equal(200);
    expect(revocationOf(own.sha256)).to.equal(undefined);
  });

  // Last: it moves the server's clock past the certificates' expiry.
  it('a device whose certificate expired enrolls again with a new enrollment identity', async () => {
    const udid = newUdid('EXPIRED');
    const first = await enrollmentIdentity();
    const device = deviceWith(udid, first);
    await enroll(device);
    const leftover = await queue(udid, 'ProfileList');

    clock.set(new Date(Date.parse(new X509Certificate(first.certPem).validTo) + DAY));
    expect((await device.report({ Status: 'Idle' })).status, 'the expired certificate').to.equal(403);
    const second = await enrollmentIdentity();
    const again = deviceWith(udid, second);
    await enroll(again);
    const events = await store.readStream(deviceStreamId(udid));
    const restarted = events.find((e) => e.type === 'DeviceEnrollmentStarted' && (e.data as { certificateHash: string }).certificateHash === second.sha256);
    expect(restarted?.data).to.deep.include({ reenrollment: true, previousIdentity: { certificateHash: first.sha256, ended: 'expired' } });
    expect(events.some((e) => e.type === 'CommandCancelled' && (e.data as { commandUuid: string; reason: string }).commandUuid === leftover && (e.data as { reason: string }).reason === 'reenrolled')).to.equal(true);
    const idle = await again.report({ Status: 'Idle' });
    expect([idle.status, idle.body.length]).to.deep.equal([200, 0]);
  });
});
