import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { createApnsPushCertificate } from '../apns/apns-certificate-fixture.js';
import { ApnsStandIn } from '../support/apns-standin.js';
import { createTestCa, issueDeviceIdentity, issueServerCertificate, type TestCa, type TestCertificate } from '../support/pki.js';
import { recordRenewal as recordIssuedRenewal } from '../support/renewal-record.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import plistlib'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** python3's plistlib reads the command the server sent (an independent parser). */
function pythonReads(xml: Buffer): { CommandUUID: string; Command: { RequestType: string; Queries?: string[] } } {
  return JSON.parse(execFileSync('python3', ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: xml }).toString()) as never;
}

describe('Apple MDM check-in, end to end', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let apns: ApnsStandIn;
  let mdmCa: FileCertificateAuthority;
  let serverCaPem: string;
  let topic: string;
  const devices: TestDevice[] = [];

  before(async () => {
    dir = tempDir();
    // The MDM CA exists before the server starts, so device certificates can be issued by it.
    mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    serverCaPem = mdmCa.certificatePem();
    // APNs stand-in with its own CA; the server trusts it through MDM_APNS_CA_FILE.
    const apnsCa = await createTestCa('APNs stand-in CA');
    const apnsServer = await issueServerCertificate(apnsCa, ['127.0.0.1', 'localhost']);
    const push = await createApnsPushCertificate(apnsCa);
    topic = push.topic;
    apns = await ApnsStandIn.start({ certPem: apnsServer.certPem, keyPem: apnsServer.keyPem, clientCaPem: apnsCa.certPem });
    const files = { cert: join(dir.path, 'push.pem'), key: join(dir.path, 'push.key'), apnsCa: join(dir.path, 'apns-ca.pem') };
    writeFileSync(files.cert, push.certPem);
    writeFileSync(files.key, push.keyPem, { mode: 0o600 });
    writeFileSync(files.apnsCa, apnsCa.certPem);
    const config = loadConfig({
      MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1',
      MDM_MAX_REPORT_BYTES: String(4 * 1024 * 1024),
      // These tests follow one device's stream event by event: the automation's commands would interleave.
      MDM_AUTOMATION: 'false',
      MDM_PUSH_CERT_FILE: files.cert, MDM_PUSH_KEY_FILE: files.key, MDM_APNS_URL: apns.url, MDM_APNS_CA_FILE: files.apnsCa,
    });
    server = await startServer(config, jsonLogger({ write: () => undefined }));
  });

  after(async () => {
    for (const d of devices) d.close();
    await server?.stop();
    await apns?.stop();
    dir?.remove();
  });

  const deviceUrl = () => server.deviceUrl.replace('127.0.0.1', 'localhost');

  async function newDevice(auth: 'mtls' | 'signature', ca: TestCa | { ca: FileCertificateAuthority } = { ca: mdmCa }): Promise<TestDevice> {
    const udid = `0000${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const cert = await issueDeviceIdentity(ca as TestCa, udid);
    const device = new TestDevice({ serverUrl: deviceUrl(), serverCaPem, udid, certPem: cert.certPem, keyPem: cert.keyPem, auth });
    devices.push(device);
    return device;
  }

  async function streamOf(udid: string) {
    // A second connection on the same file, as an auditor's tool would read it.
    const reader = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      return await reader.readStream(deviceStreamId(udid));
    } finally {
      await reader.close();
    }
  }

  /** As SCEP records a renewal it issued: `renewed` renews the certificate `ofPem`. */
  async function recordRenewal(renewed: TestCertificate, ofPem: string, udid: string): Promise<void> {
    const writer = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      await recordIssuedRenewal(writer, renewed, new X509Certificate(ofPem).fingerprint256.replace(/:/g, '').toLowerCase(), udid);
    } finally {
      await writer.close();
    }
  }

  async function enroll(device: TestDevice, token = randomUUID().replace(/-/g, '')): Promise<string> {
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic, SerialNumber: 'F2LXK0XXHG7F', Model: 'iPhone14,5', OSVersion: '17.4', BuildVersion: '21E219', ProductName: 'iPhone14,5', DeviceName: 'Test iPhone' })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from(token, 'hex'), PushMagic: `magic-${device.udid}`, UnlockToken: Buffer.from('unlock-token-bytes') })).status).to.equal(200);
    return token;
  }

  for (const auth of ['mtls', 'signature'] as const) {
    it(`Authenticate → TokenUpdate → queued DeviceInformation → push → Idle → command → Acknowledged → empty (${auth})`, async function () {
      const device = await newDevice(auth);
      const token = await enroll(device);

      const pushed = apns.nextPush((p) => p.token === token, 10_000);
      const commandUuid = randomUUID();
      const outcomes = await server.services.commandQueue.enqueue([device.udid], { requestType: 'DeviceInformation', Queries: ['UDID', 'OSVersion', 'SerialNumber', 'BatteryLevel'] }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
      expect(outcomes).to.deep.equal([{ udid: device.udid, outcome: 'queued' }]);
      const push = await pushed;
      expect(push.body).to.equal(JSON.stringify({ mdm: `magic-${device.udid}` }));
      const ready = (await (await fetch(`${server.adminUrl}/readyz`)).json()) as { details: { push: { status: string; certificate: { status: string } } } };
      expect(ready.details.push.status).to.equal('ok');
      expect(ready.details.push.certificate.status).to.equal('ok');
      expect(push.headers['apns-push-type']).to.equal('mdm');
      expect(push.headers['apns-topic']).to.equal(topic);

      const idle = await device.report({ Status: 'Idle' });
      expect(idle.status).to.equal(200);
      const command = asDict(parsePlist(idle.body));
      expect(getString(command, 'CommandUUID')).to.equal(commandUuid);
      expect(getString(getDict(command, 'Command'), 'RequestType')).to.equal('DeviceInformation');
      if (hasPython) {
        const viaPython = pythonReads(idle.body);
        expect(viaPython.CommandUUID).to.equal(commandUuid);
        expect(viaPython.Command.Queries).to.deep.equal(['UDID', 'OSVersion', 'SerialNumber', 'BatteryLevel']);
      } else {
        console.log('      (python3 missing: command plist not cross-checked with plistlib)');
      }

      const ack = { Status: 'Acknowledged', CommandUUID: commandUuid, QueryResponses: { UDID: device.udid, OSVersion: '17.4', SerialNumber: 'F2LXK0XXHG7F', BatteryLevel: 0.87 } };
      const done = await device.report(ack);
      expect(done.status).to.equal(200);
      expect(done.body.length, 'nothing more to do').to.equal(0);

      const types = (await streamOf(device.udid)).map((e) => e.type);
      expect(types).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceEnrolled', 'CommandQueued', 'DeviceSeen', 'CommandDelivered', 'CommandAcknowledged', 'DeviceInformationReported']);

      // The same report again (the device did not get our answer): 200, and nothing changes.
      expect((await device.report(ack)).status).to.equal(200);
      expect((await streamOf(device.udid)).map((e) => e.type)).to.deep.equal(types);
      // An Idle with nothing to do appends nothing.
      const empty = await device.report({ Status: 'Idle' });
      expect(empty.status).to.equal(200);
      expect(empty.body.length).to.equal(0);
      expect((await streamOf(device.udid)).map((e) => e.type)).to.deep.equal(types);
    });
  }

  it('delivers payloads from the blob store and secrets opened at delivery, never stored in clear', async () => {
    const device = await newDevice('mtls');
    const unlock = `unlock-${randomUUID()}`;
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('beef', 'hex'), PushMagic: 'pm', UnlockToken: Buffer.from(unlock) })).status).to.equal(200);
    const profile = Buffer.from(`<?xml version="1.0"?><plist version="1.0"><dict><key>PayloadIdentifier</key><string>com.example.${randomUUID()}</string></dict></plist>`);
    const pin = '739104';
    const actor = { kind: 'admin' as const, id: 'e2e' };
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'InstallProfile', Payload: profile.toString('base64') }, { commandUuid: 'cmd-profile', actor, priority: 60 });
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'ClearPasscode' }, { commandUuid: 'cmd-clear', actor, priority: 55 });
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'DeviceLock', PIN: pin, Message: 'Call IT' }, { commandUuid: 'cmd-lock', actor, priority: 50 });

    let answer = await device.report({ Status: 'Idle' });
    let command = getDict(asDict(parsePlist(answer.body)), 'Command');
    expect(getString(command, 'RequestType')).to.equal('InstallProfile');
    expect(Buffer.compare(command['Payload'] as Buffer, profile)).to.equal(0);

    answer = await device.report({ Status: 'Acknowledged', CommandUUID: 'cmd-profile' });
    command = getDict(asDict(parsePlist(answer.body)), 'Command');
    expect(getString(command, 'RequestType')).to.equal('ClearPasscode');
    expect((command['UnlockToken'] as Buffer).toString()).to.equal(unlock);

    answer = await device.report({ Status: 'Acknowledged', CommandUUID: 'cmd-clear' });
    command = getDict(asDict(parsePlist(answer.body)), 'Command');
    expect(getString(command, 'RequestType')).to.equal('DeviceLock');
    expect(getString(command, 'PIN')).to.equal(pin);

    answer = await device.report({ Status: 'Acknowledged', CommandUUID: 'cmd-lock' });
    expect([answer.status, answer.body.length]).to.deep.equal([200, 0]);
    const history = await server.services.commandQueue.history(device.udid);
    expect(history.map((h) => [h.commandUuid, h.requestType, h.status, h.deliveries])).to.deep.equal([
      ['cmd-profile', 'InstallProfile', 'acknowledged', 1],
      ['cmd-clear', 'ClearPasscode', 'acknowledged', 1],
      ['cmd-lock', 'DeviceLock', 'acknowledged', 1],
    ]);
    expect(await server.services.commandQueue.queue(device.udid)).to.deep.equal([]);

    const { filesContaining } = await import('../support/find-secret.js');
    expect(filesContaining(dir.path, Buffer.from(unlock)), 'unlock token in clear').to.deep.equal([]);
    const events = JSON.stringify(await streamOf(device.udid));
    expect(events).to.not.contain(`"${pin}"`);
    expect(events).to.not.contain(profile.toString('base64'));
    // The profile itself is stored once, sealed (profiles carry Wi-Fi and VPN passwords).
    expect(filesContaining(dir.path, profile), 'profile in clear').to.deep.equal([]);
  });

  it('refuses ClearPasscode for a device that never sent an UnlockToken, and invalid requests outright', async () => {
    const device = await newDevice('mtls');
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('cafe', 'hex'), PushMagic: 'pm' })).status).to.equal(200);
    const actor = { kind: 'admin' as const, id: 'e2e' };
    const [outcome] = await server.services.commandQueue.enqueue([device.udid], { requestType: 'ClearPasscode' }, { commandUuid: randomUUID(), actor });
    expect(outcome).to.include({ outcome: 'refused', code: 'no-unlock-token' });
    const bad = await server.services.commandQueue.enqueue([device.udid], { requestType: 'DeviceLock', PIN: '12' }, { commandUuid: randomUUID(), actor }).catch((e: unknown) => e);
    expect((bad as { code: string }).code).to.equal('invalid-command');
    const unknown = await server.services.commandQueue.enqueue([device.udid], { requestType: 'FormatHardDrive' }, { commandUuid: randomUUID(), actor }).catch((e: unknown) => e);
    expect((unknown as { code: string }).code).to.equal('invalid-command');
    expect((await streamOf(device.udid)).map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceEnrolled']);
  });

  it('serves /mdm/checkin and /mdm/command too, routed by Content-Type', async () => {
    const device = await newDevice('mtls');
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: topic }, '/mdm/command')).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('abcd', 'hex'), PushMagic: 'pm' }, '/mdm/checkin')).status).to.equal(200);
    expect((await device.report({ Status: 'Idle' }, '/mdm/checkin')).status).to.equal(200);
  });

  describe('refusals', () => {
    it('answers 403 with no body and appends nothing: no certificate, foreign CA, UDID mismatch, another device\'s certificate', async () => {
      const owner = await newDevice('mtls');
      await enroll(owner);
      const before = (await streamOf(owner.udid)).length;

      // No certificate at all.
      const anonymous = new TestDevice({ ...owner.options, auth: 'none' });
      devices.push(anonymous);
      const none = await anonymous.report({ Status: 'Idle' });
      expect(none.status).to.equal(403);
      expect(none.body.length).to.equal(0);

      // A certificate from another CA.
      const foreign = await newDevice('mtls', await createTestCa('Foreign CA'));
      const f = await foreign.checkIn({ MessageType: 'Authenticate', Topic: topic });
      expect([f.status, f.body.length]).to.deep.equal([403, 0]);
      expect(await streamOf(foreign.udid)).to.deep.equal([]);

      // Our CA, but the message names a UDID the certificate is not bound to.
      const other = await newDevice('mtls');
      await enroll(other);
      const mismatch = new TestDevice({ ...other.options, udid: owner.udid });
      devices.push(mismatch);
      const m = await mismatch.report({ Status: 'Idle' });
      expect([m.status, m.body.length]).to.deep.equal([403, 0]);
      const tu = await mismatch.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('ffff', 'hex'), PushMagic: 'stolen' });
      expect(tu.status).to.equal(403);

      // A certificate bound to one device, presented in another device's Authenticate.
      const a = await mismatch.checkIn({ MessageType: 'Authenticate', Topic: topic });
      expect([a.status, a.body.length]).to.deep.equal([403, 0]);

      expect((await streamOf(owner.udid)).length, 'the owner stream is untouched').to.equal(before);

      // Each refusal is a security event, at most one per source and reason per minute.
      const reader = new SqliteEventStore(join(dir.path, 'events.db'));
      try {
        const refusals = await reader.readStream(`security-${new Date().toISOString().slice(0, 10)}`);
        const reasons = refusals.map((e) => (e.data as { reason: string }).reason);
        // (Another device's certificate claiming this enrolled device is refused as a rebind.)
        expect(reasons).to.include.members(['no-certificate', 'foreign-ca', 'udid-mismatch', 'rebind-refused']);
        expect(new Set(reasons).size, 'one per reason from this source').to.equal(reasons.length);
        // More of the same within the minute records nothing more.
        await anonymous.report({ Status: 'Idle' });
        await new Promise((r) => setTimeout(r, 100));
        expect(await reader.readStream(`security-${new Date().toISOString().slice(0, 10)}`)).to.have.length(refusals.length);
      } finally {
        await reader.close();
      }
    });

    it('is never 401, and tells refusals (403) apart from unsupported messages (410) and malformed ones (400)', async () => {
      const device = await newDevice('mtls');
      await enroll(device);
      expect((await device.checkIn({ MessageType: 'UserAuthenticate' })).status).to.equal(410);
      expect((await device.checkIn({ MessageType: 'GetBootstrapToken' })).status).to.equal(410);
      expect((await device.checkIn({ MessageType: 'Frobnicate' })).status).to.equal(400);
      expect((await device.put('/mdm', 'application/x-apple-aspen-mdm-checkin', Buffer.from('not a plist'))).status).to.equal(400);
      expect((await device.put('/mdm', 'application/json', Buffer.from('{}'))).status).to.equal(415);
      expect((await device.put('/mdm', 'application/x-apple-aspen-mdm-checkin', Buffer.alloc(65 * 1024, 0x20))).status).to.equal(413);
      expect((await device.report({ Status: 'Acknowledged' })).status, 'a report without CommandUUID').to.equal(400);
      expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.someone-else', Token: Buffer.from('ab', 'hex'), PushMagic: 'x' })).status, 'another push topic').to.equal(400);
    });
  });

  it('identity renewal: a renewal of the bound certificate rebinds the device and keeps its queue', async () => {
    const device = await newDevice('mtls');
    await enroll(device);
    const commandUuid = randomUUID();
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'SecurityInfo' }, { commandUuid, actor: { kind: 'admin', id: 'e2e' } });
    const renewed = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, device.udid);
    await recordRenewal(renewed, device.options.certPem, device.udid);
    const after = new TestDevice({ ...device.options, certPem: renewed.certPem, keyPem: renewed.keyPem });
    devices.push(after);
    expect((await after.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await after.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from('0102', 'hex'), PushMagic: 'pm2' })).status).to.equal(200);
    const idle = await after.report({ Status: 'Idle' });
    expect(getString(asDict(parsePlist(idle.body)), 'CommandUUID')).to.equal(commandUuid);
    // The old certificate no longer speaks for the device.
    expect((await device.report({ Status: 'Idle' })).status).to.equal(403);
    const types = (await streamOf(device.udid)).map((e) => e.type);
    expect(types).to.include('DeviceCertificateRebound');
    expect(types.filter((t) => t === 'DeviceEnrollmentStarted')).to.have.length(1);
  });

  it('deliberate unenrollment answers Apple\'s "unrecognized device" 403, unlike an identity refusal', async () => {
    const device = await newDevice('mtls');
    const token = await enroll(device);
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'ProfileList' }, { commandUuid: randomUUID(), actor: { kind: 'admin', id: 'e2e' } });
    const woken = apns.nextPush((p) => p.token === token, 10_000);
    await server.services.commandQueue.unenroll(device.udid, 'rejected in quarantine', { kind: 'admin', id: 'e2e' });
    await woken; // the device is woken so that it hears the news
    const answer = await device.report({ Status: 'Idle' });
    expect(answer.status).to.equal(403);
    expect(answer.contentType).to.contain('application/json');
    expect(JSON.parse(answer.body.toString())).to.include({ code: 'com.apple.unrecognized.device' });
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: topic, Token: Buffer.from(token, 'hex'), PushMagic: 'x' })).status).to.equal(403);
    // The device removes its profile and says so: that is accepted.
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: topic })).status).to.equal(200);
    const types = (await streamOf(device.udid)).map((e) => e.type);
    expect(types.slice(-3)).to.deep.equal(['CommandCancelled', 'DeviceUnenrollmentRequested', 'DeviceCheckedOut']);
  });

  it('refuses a fresh certificate from our CA that claims an enrolled device; a replaced certificate stays retired', async () => {
    const victim = await newDevice('mtls');
    await enroll(victim);
    await server.services.commandQueue.enqueue([victim.udid], { requestType: 'ClearPasscode' }, { commandUuid: randomUUID(), actor: { kind: 'admin', id: 'e2e' } });
    const before = (await streamOf(victim.udid)).length;
    // A certificate our CA issued for someone else (subject ATTACKER-...), never bound so far.
    const stolen = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, 'ATTACKER-UDID-0001');
    const attacker = new TestDevice({ ...victim.options, certPem: stolen.certPem, keyPem: stolen.keyPem });
    devices.push(attacker);
    const a = await attacker.checkIn({ MessageType: 'Authenticate', Topic: topic });
    expect([a.status, a.body.length]).to.deep.equal([403, 0]);
    const idle = await attacker.report({ Status: 'Idle' });
    expect([idle.status, idle.body.length], 'no queued command, no unlock token').to.deep.equal([403, 0]);
    expect((await streamOf(victim.udid)).length).to.equal(before);
    // The victim carries on.
    const own = await victim.report({ Status: 'Idle' });
    expect(getString(getDict(asDict(parsePlist(own.body)), 'Command'), 'RequestType')).to.equal('ClearPasscode');

    // A renewal of the victim's own certificate rebinds it; the old certificate is retired.
    const renewed = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, victim.udid);
    await recordRenewal(renewed, victim.options.certPem, victim.udid);
    const after = new TestDevice({ ...victim.options, certPem: renewed.certPem, keyPem: renewed.keyPem });
    devices.push(after);
    expect((await after.checkIn({ MessageType: 'Authenticate', Topic: topic })).status).to.equal(200);
    expect((await victim.checkIn({ MessageType: 'Authenticate', Topic: topic })).status, 'the retired certificate').to.equal(403);
  });

  it('takes a large report (4,000 apps) and moves on to the next command', async () => {
    const device = await newDevice('signature');
    await enroll(device);
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'InstalledApplicationList' }, { commandUuid: 'apps-big', actor: { kind: 'admin', id: 'e2e' } });
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'SecurityInfo' }, { commandUuid: 'after-apps', actor: { kind: 'admin', id: 'e2e' }, priority: 1 });
    expect(getString(asDict(parsePlist((await device.report({ Status: 'Idle' })).body)), 'CommandUUID')).to.equal('apps-big');
    const apps = Array.from({ length: 4_000 }, (_, i) => ({
      Identifier: `com.example.application.number${i}.with.a.long.bundle.identifier`, Name: `Application number ${i} with a rather long display name`,
      ShortVersion: '1.2.3', Version: '123', BundleSize: 123_456_789, DynamicSize: 1_234_567, Installing: false,
    }));
    const answer = await device.report({ Status: 'Acknowledged', CommandUUID: 'apps-big', InstalledApplicationList: apps });
    expect(answer.status).to.equal(200);
    expect(getString(asDict(parsePlist(answer.body)), 'CommandUUID'), 'the next command, not the same again').to.equal('after-apps');
    const types = (await streamOf(device.udid)).map((e) => e.type);
    expect(types).to.include('CommandAcknowledged');
  });

  it('fails a command that cannot be built for delivery and hands out the next one', async () => {
    const device = await newDevice('mtls');
    await enroll(device);
    // A request this server refuses today, as if stored by an older version: written straight to the store.
    const writer = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      await writer.append(deviceStreamId(device.udid), [{ eventId: randomUUID(), type: 'CommandQueued', data: { commandUuid: 'broken', request: { requestType: 'DeviceInformation', Queries: ['NoSuchQuery'] }, priority: 90, queuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), queuedBy: 'admin:old' } }], 'any');
    } finally {
      await writer.close();
    }
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'ProfileList' }, { commandUuid: 'fine', actor: { kind: 'admin', id: 'e2e' } });
    const answer = await device.report({ Status: 'Idle' });
    expect(getString(asDict(parsePlist(answer.body)), 'CommandUUID')).to.equal('fine');
    const history = await server.services.commandQueue.history(device.udid);
    expect(history.find((h) => h.commandUuid === 'broken')).to.include({ status: 'failed' });
  });

  it('answers 413 to a report over MDM_MAX_REPORT_BYTES and records nothing', async () => {
    const device = await newDevice('mtls');
    await enroll(device);
    const before = (await streamOf(device.udid)).length;
    const huge = await device.put('/mdm', 'application/x-apple-aspen-mdm', Buffer.alloc(5 * 1024 * 1024, 0x20));
    expect(huge.status).to.equal(413);
    expect((await streamOf(device.udid)).length).to.equal(before);
  });

  it('CheckOut cancels pending commands and refuses new ones', async () => {
    const device = await newDevice('signature');
    await enroll(device);
    await server.services.commandQueue.enqueue([device.udid], { requestType: 'ProfileList' }, { commandUuid: randomUUID(), actor: { kind: 'admin', id: 'e2e' } });
    expect((await device.checkIn({ MessageType: 'CheckOut', Topic: topic })).status).to.equal(200);
    const types = (await streamOf(device.udid)).map((e) => e.type);
    expect(types.slice(-2)).to.deep.equal(['CommandCancelled', 'DeviceCheckedOut']);
    const refused = await server.services.commandQueue.enqueue([device.udid], { requestType: 'ProfileList' }, { commandUuid: randomUUID(), actor: { kind: 'admin', id: 'e2e' } });
    expect(refused[0]).to.include({ outcome: 'refused', code: 'not-enrolled' });
  });
});
