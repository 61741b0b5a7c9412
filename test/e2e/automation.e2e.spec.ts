import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { startServer, type RunningServer } from '../../infrastructure/composition-root.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { FileCertificateAuthority } from '../../infrastructure/pki/file-certificate-authority.js';
import { asDict, getDict, getString, parsePlist } from '../../infrastructure/plist/index.js';
import { ManualTime } from '../apns/manual-time.js';
import { eventually } from '../support/eventually.js';
import { wifiProfile } from '../automation/profile-fixtures.js';
import { issueDeviceIdentity, type TestCa } from '../support/pki.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { TestDevice } from '../support/test-device.js';

const INVENTORY = ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList'];
const DAY = 24 * 3_600_000;

/**
 * Seeds 001 and 003 end to end: groups and profiles made with the CLI while the server runs, a
 * device enrolling with a token bound to a group, and what the automation queues for it.
 */
describe('device groups and post-enrollment automation, end to end', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let mdmCa: FileCertificateAuthority;
  let reader: SqliteEventStore;
  // The server's clock starts at the real time: TLS clients check its certificates against theirs.
  const time = new ManualTime(Date.now());
  const devices: TestDevice[] = [];
  const config = () => loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1' });
  const start = async () => {
    server = await startServer(config(), jsonLogger({ write: () => undefined }), time);
    await server.services.automation!.start();
  };
  const cli = async (...args: string[]) => {
    const r = await runCli(args, { MDM_DATA_DIR: dir.path });
    expect(r.code, `mdm ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    dir = tempDir();
    mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    await start();
    // Another connection to the same store, as the enrollment flow's and an auditor's.
    reader = new SqliteEventStore(join(dir.path, 'events.db'));
  });

  after(async () => {
    for (const d of devices) d.close();
    await reader?.close();
    await server?.stop();
    dir?.remove();
  });

  async function deviceStream(udid: string): Promise<RecordedEvent[]> {
    return reader.readStream(deviceStreamId(udid));
  }

  /** RequestTypes queued on the device so far, in order. */
  async function queued(udid: string): Promise<string[]> {
    return (await deviceStream(udid)).filter((e) => e.type === 'CommandQueued').map((e) => (e.data as { request: { requestType: string } }).request.requestType);
  }

  /**
   * What a device does with an enrollment URL: the token is redeemed for an enrollment, SCEP issues
   * an identity named after it, the device authenticates with it (the enrollment flow records that,
   * with the quarantine its group asks for) and sends its first TokenUpdate.
   */
  async function enrollWithToken(token: string): Promise<TestDevice> {
    const enrollment = await new EnrollmentTokens(reader, time).redeem(token);
    expect(enrollment, 'the token is usable').to.not.equal(undefined);
    const udid = `0000AUTO${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const identity = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, enrollment!.enrollmentId);
    const device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: mdmCa.certificatePem(), udid, certPem: identity.certPem, keyPem: identity.keyPem, auth: 'signature' });
    devices.push(device);
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.e2e' })).status).to.equal(200);
    const certificateSha256 = createHash('sha256').update(identity.der).digest('hex');
    const quarantine = await new DeviceGroups(reader, time).quarantineRequired(enrollment!.group);
    await new Enrollments(reader, time).record({ type: 'RecordDeviceAuthenticated', enrollmentId: enrollment!.enrollmentId, udid, certificateSha256, quarantine, at: time.now().toISOString() });
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.e2e', Token: Buffer.from('abcd', 'hex'), PushMagic: 'magic' })).status).to.equal(200);
    return device;
  }

  const tokenFor = async (group: string) => /^token: +(\S+)$/m.exec(await cli('enrollment-token', 'create', '--group', group))![1]!;

  it('a device enrolling into development gets the inventory queries and the group\'s profile once, also after a restart', async () => {
    await cli('group', 'create', 'development', '--description', 'Developer devices');
    const profileFile = join(dir.path, 'wifi.mobileconfig');
    const profileBytes = wifiProfile();
    writeFileSync(profileFile, profileBytes);
    const sha = createHash('sha256').update(profileBytes).digest('hex');
    expect(await cli('profile', 'upload', profileFile)).to.contain(sha);
    await cli('group', 'assign-profile', 'development', sha.slice(0, 8));

    const device = await enrollWithToken(await tokenFor('development'));
    await eventually(async () => expect((await queued(device.udid)).sort()).to.deep.equal([...INVENTORY, 'InstallProfile'].sort()));
    expect(await cli('group', 'show', 'development')).to.contain(device.udid);

    // The device works through its queue; the profile it receives is the uploaded file, byte for byte.
    let answer = await device.report({ Status: 'Idle' });
    const seen: string[] = [];
    while (answer.body.length > 0) {
      const command = asDict(parsePlist(answer.body));
      const body = getDict(command, 'Command');
      const type = getString(body, 'RequestType');
      seen.push(type);
      if (type === 'InstallProfile') expect((body['Payload'] as Buffer).equals(profileBytes)).to.equal(true);
      answer = await device.report({ Status: 'Acknowledged', CommandUUID: getString(command, 'CommandUUID') });
    }
    expect(seen.sort()).to.deep.equal([...INVENTORY, 'InstallProfile'].sort());

    const before = (await deviceStream(device.udid)).length;
    await server.stop();
    await start();
    await server.services.automation!.refreshDue();
    expect((await deviceStream(device.udid)).length, 'nothing queued again after the restart').to.equal(before);
  });

  it('assigning a second profile queues it; unassigning it queues RemoveProfile; a day later the inventory is refreshed once', async () => {
    const device = await enrollWithToken(await tokenFor('development'));
    await eventually(async () => expect(await queued(device.udid)).to.have.length(6));

    const second = wifiProfile({ identifier: 'com.example.vpn', name: 'VPN' });
    const file = join(dir.path, 'vpn.mobileconfig');
    writeFileSync(file, second);
    const sha = createHash('sha256').update(second).digest('hex');
    await cli('profile', 'upload', file);
    await cli('group', 'assign-profile', 'development', sha);
    await eventually(async () => expect(await queued(device.udid)).to.have.length(7));
    expect((await queued(device.udid)).at(-1)).to.equal('InstallProfile');
    await cli('group', 'unassign-profile', 'development', sha.slice(0, 12));
    await eventually(async () => expect(await queued(device.udid)).to.have.length(8));
    const remove = (await deviceStream(device.udid)).filter((e) => e.type === 'CommandQueued').at(-1)!.data as { request: { requestType: string; Identifier: string }; queuedBy: string };
    expect(remove).to.deep.include({ request: { requestType: 'RemoveProfile', Identifier: 'com.example.vpn' }, queuedBy: 'system:device-groups' });

    await time.advance(DAY);
    const refreshed = await server.services.automation!.refreshDue();
    expect(refreshed, 'both enrolled devices').to.equal(10);
    expect(await server.services.automation!.refreshDue()).to.equal(0);
    expect((await queued(device.udid)).filter((t) => t === 'DeviceInformation')).to.have.length(2);
  });

  it('a device enrolling into a quarantined group gets nothing until an admin approves it', async () => {
    await cli('group', 'create', 'production', '--quarantine');
    const device = await enrollWithToken(await tokenFor('production'));
    const enrolledAt = (await deviceStream(device.udid)).find((e) => e.type === 'DeviceEnrolled')!.position;
    await eventually(() => expect(server.services.automation!.status().position).to.be.at.least(enrolledAt));
    expect(await queued(device.udid)).to.deep.equal([]);
    expect((await device.report({ Status: 'Idle' })).body.length).to.equal(0);

    const [authenticated] = (await reader.readAll({ maxCount: 100_000 })).filter((e) => e.type === 'EnrollmentQuarantined' && (e.data as { udid: string }).udid === device.udid);
    await new Enrollments(reader, time).record({ type: 'ApproveEnrollment', enrollmentId: (authenticated!.data as { enrollmentId: string }).enrollmentId, approvedBy: 'admin:e2e', at: time.now().toISOString() });
    await eventually(async () => expect(await queued(device.udid)).to.deep.equal(INVENTORY));
  });
});

/**
 * MDM_ENROLLMENT_QUARANTINE=true with a certificate of no enrollment: the hold is recorded on the
 * device's stream alone, and the automation keeps to it until `mdm enrollment approve`.
 */
describe('post-enrollment automation under the global quarantine, end to end', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let reader: SqliteEventStore;
  let device: TestDevice | undefined;
  let mdmCa: FileCertificateAuthority;
  const time = new ManualTime(Date.now());

  before(async () => {
    dir = tempDir();
    mdmCa = await FileCertificateAuthority.openOrCreate(join(dir.path, 'ca'), { keyBits: 2048 });
    server = await startServer(loadConfig({ MDM_DATA_DIR: dir.path, MDM_ADMIN_PORT: '0', MDM_DEVICE_PORT: '0', MDM_DEVICE_HOST: '127.0.0.1', MDM_TLS_HOSTNAMES: 'localhost,127.0.0.1', MDM_ENROLLMENT_QUARANTINE: 'true' }), jsonLogger({ write: () => undefined }), time);
    await server.services.automation!.start();
    reader = new SqliteEventStore(join(dir.path, 'events.db'));
  });

  after(async () => {
    device?.close();
    await reader?.close();
    await server?.stop();
    dir?.remove();
  });

  it('a held device gets nothing, not even the daily refresh, until approved with the CLI', async () => {
    const udid = `0000HOLD${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const identity = await issueDeviceIdentity({ ca: mdmCa } as unknown as TestCa, udid);
    device = new TestDevice({ serverUrl: server.deviceUrl.replace('127.0.0.1', 'localhost'), serverCaPem: mdmCa.certificatePem(), udid, certPem: identity.certPem, keyPem: identity.keyPem, auth: 'signature' });
    expect((await device.checkIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.e2e' })).status).to.equal(200);
    expect((await device.checkIn({ MessageType: 'TokenUpdate', Topic: 'com.apple.mgmt.External.e2e', Token: Buffer.from('abcd', 'hex'), PushMagic: 'magic' })).status).to.equal(200);
    const stream = await reader.readStream(deviceStreamId(udid));
    expect(stream.map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceQuarantined', 'DeviceEnrolled']);
    await eventually(() => expect(server.services.automation!.status().position).to.be.at.least(stream.at(-1)!.position));
    await time.advance(DAY);
    expect(await server.services.automation!.refreshDue()).to.equal(0);
    const queued = async () => (await reader.readStream(deviceStreamId(udid))).filter((e) => e.type === 'CommandQueued').map((e) => (e.data as { request: { requestType: string } }).request.requestType);
    expect(await queued()).to.deep.equal([]);

    const approved = await runCli(['enrollment', 'approve', udid], { MDM_DATA_DIR: dir.path });
    expect(approved.code, approved.stderr).to.equal(0);
    await eventually(async () => expect(await queued()).to.deep.equal(INVENTORY));
  });
});
