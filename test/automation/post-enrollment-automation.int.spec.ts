import { expect } from 'chai';
import { AUTOMATION_CHECKPOINT_STREAM, writeCheckpoint } from '../../application/automation/automation-checkpoint.js';
import { PostEnrollmentAutomation } from '../../application/automation/post-enrollment-automation.js';
import { EnrollmentAdmission } from '../../application/enrollment/enrollment-admission.js';
import { Quarantine } from '../../application/enrollment/quarantine.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { assignedProfileOf } from '../../application/profile-library/profile-library.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { tempDir } from '../support/temp-dir.js';
import { AutomationFixture } from './automation-fixture.js';
import { eventually } from '../support/eventually.js';
import { wifiProfile } from './profile-fixtures.js';

const DAY = 24 * 3_600_000;
const INVENTORY = ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList'];
const admin = { kind: 'admin' as const, id: 'alice' };

describe('post-enrollment automation over a real event store', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let f: AutomationFixture;
  let automation: PostEnrollmentAutomation | undefined;
  const logs: string[] = [];
  /** Outcomes of every enqueue the automation made, by CommandUUID. */
  let outcomes: string[] = [];

  const startAutomation = async () => {
    automation = new PostEnrollmentAutomation({
      store: f.store, clock: f.time, scheduler: f.time, logger: jsonLogger({ write: (l) => logs.push(l) }),
      enqueue: async (udid, request, options) => {
        const [outcome] = await f.queue.enqueue([udid], request, options);
        outcomes.push(outcome!.outcome);
        return outcome!;
      },
      joinGroup: (group, udid, options) => f.groups.addDevice(group, udid, options.actor, { enrollmentId: options.enrollmentId, commandId: options.commandId }),
      refreshIntervalMs: DAY,
    });
    await automation.start();
    return automation;
  };

  /** A stop and a start of the process: new connection, new caches, new automation. */
  const restart = async () => {
    await automation?.stop();
    await f.reopen();
    return startAutomation();
  };

  beforeEach(async () => {
    dir = tempDir();
    f = await AutomationFixture.open(dir.path);
    logs.length = 0;
  });
  afterEach(async () => {
    await automation?.stop();
    automation = undefined;
    await f.close();
    dir.remove();
  });

  it('takes what happened before its first start as history, not as a to-do list', async () => {
    await f.enroll('00008030-0000000000000C1E');
    await startAutomation();
    expect(await f.queuedRequests('00008030-0000000000000C1E')).to.deep.equal([]);
    expect(await f.store.readStream(AUTOMATION_CHECKPOINT_STREAM)).to.have.length(1);
    expect(automation!.status()).to.include({ status: 'running', activeDevices: 1 });
  });

  it('enrollment into a group: inventory and the group\'s profile once, also across a restart and a crash', async () => {
    const udid = '00008030-0000000000000D1E';
    const { profile } = await f.library.upload(wifiProfile(), admin);
    await f.groups.create('development', {}, admin);
    await f.groups.assignProfile('development', assignedProfileOf(profile), admin);
    await startAutomation();

    // As the enrollment flow records it: the device authenticated with the identity of an
    // enrollment made from a token bound to `development`.
    const { enrollmentId } = await f.enrollments.begin({ method: 'token', group: 'development' });
    await f.enrollments.record({ type: 'RecordDeviceAuthenticated', enrollmentId, udid, certificateSha256: 'cd'.repeat(32), quarantine: await f.groups.quarantineRequired('development'), at: f.time.now().toISOString() });
    await f.enroll(udid);
    await eventually(async () => expect((await f.queuedRequests(udid)).sort()).to.deep.equal([...INVENTORY, 'InstallProfile'].sort()));
    expect((await f.groups.get('development'))!.members).to.deep.equal([udid]);
    // Whether the profile comes with the enrollment or with the membership depends on which of the
    // two the automation saw first; it comes once either way.
    for (const e of (await f.deviceEvents(udid)).filter((x) => x.type === 'CommandQueued')) expect((e.data as { queuedBy: string }).queuedBy).to.be.oneOf(['system:post-enrollment', 'system:device-groups']);

    const before = (await f.deviceEvents(udid)).length;
    await restart();
    await automation!.refreshDue();
    expect((await f.deviceEvents(udid)).length, 'a restart queues nothing again').to.equal(before);

    // A crash before the checkpoint: everything since the group was created is acted on again.
    await automation!.stop();
    automation = undefined;
    await f.reopen();
    await writeCheckpoint(f.store, f.time, { position: 1, refreshedThrough: f.time.now().toISOString() });
    outcomes = [];
    await startAutomation();
    expect(outcomes, 'acted on again').to.deep.equal(Array(6).fill('already-queued'));
    expect((await f.deviceEvents(udid)).length, 'replayed commands are recognised').to.equal(before);
    expect(logs.join('')).to.not.contain('could not queue');
  });

  it('a device held by the global quarantine (a certificate of no enrollment) gets nothing, refreshes included, until approved; a rejected one never', async () => {
    const held = '00008030-0000000000000A1E';
    const turnedAway = '00008030-0000000000000A2E';
    const { profile } = await f.library.upload(wifiProfile(), admin);
    await f.groups.create('development', {}, admin);
    await f.groups.assignProfile('development', assignedProfileOf(profile), admin);
    await f.groups.addDevice('development', held, admin);
    await startAutomation();
    // MDM_ENROLLMENT_QUARANTINE=true: the device stream alone records the hold.
    const checkIns = new CheckInService(f.store, f.box, f.time, f.cache, { admission: new EnrollmentAdmission(f.store, f.time, { all: true }) });
    for (const [udid, certificateHash] of [[held, 'a1'.repeat(32)], [turnedAway, 'a2'.repeat(32)]] as const) {
      const identity = { certificateHash, remoteAddress: '127.0.0.1' };
      expect(await checkIns.handle({ messageType: 'Authenticate', udid, topic: 'com.apple.mgmt.External.t', facts: {} }, identity)).to.deep.equal({ kind: 'ok' });
      expect(await checkIns.handle({ messageType: 'TokenUpdate', udid, topic: 'com.apple.mgmt.External.t', token: Buffer.from('0a0b', 'hex'), pushMagic: 'PM' }, identity)).to.deep.equal({ kind: 'ok' });
      expect((await f.deviceEvents(udid)).map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceQuarantined', 'DeviceEnrolled']);
    }
    const last = (await f.deviceEvents(turnedAway)).at(-1)!.position;
    await eventually(() => expect(automation!.status().position).to.be.at.least(last));
    expect(await f.queuedRequests(held)).to.deep.equal([]);
    expect(automation!.status().activeDevices).to.equal(0);
    await f.time.advance(DAY);
    expect(await automation!.refreshDue(), 'no refresh while held').to.equal(0);

    const decisions = new Quarantine(f.store, f.time, async () => undefined);
    await decisions.reject(turnedAway, admin);
    await decisions.approve(held, admin);
    await eventually(async () => expect((await f.queuedRequests(held)).sort()).to.deep.equal([...INVENTORY, 'InstallProfile'].sort()));
    for (const e of (await f.deviceEvents(held)).filter((x) => x.type === 'CommandQueued')) expect((e.data as { queuedBy: string }).queuedBy).to.equal('system:post-enrollment');
    await f.time.advance(DAY);
    await automation!.refreshDue();
    expect(await f.queuedRequests(turnedAway), 'a rejected device gets nothing').to.deep.equal([]);
    expect((await f.queuedRequests(held)).filter((t) => t === 'DeviceInformation'), 'the approved device is refreshed').to.have.length(2);
  });

  it('an enrollment naming a group that does not exist: a warning, and the device still gets its inventory', async () => {
    const udid = '00008030-0000000000000E2E';
    await startAutomation();
    const { enrollmentId } = await f.enrollments.begin({ method: 'web', user: 'carol', group: 'gone' });
    await f.enrollments.record({ type: 'RecordDeviceAuthenticated', enrollmentId, udid, certificateSha256: 'cd'.repeat(32), quarantine: false, at: f.time.now().toISOString() });
    await f.enroll(udid);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal(INVENTORY));
    await eventually(() => expect(logs.join('')).to.match(/"msg":"automation: refused".*"code":"unknown-group"/));
    expect(automation!.status()).to.include({ status: 'running', failed: 0 });
  });

  it('retries a command the store could not take at first', async () => {
    const udid = '00008030-0000000000000E3E';
    let failuresLeft = 2;
    automation = new PostEnrollmentAutomation({
      store: f.store, clock: f.time, scheduler: f.time, logger: jsonLogger({ write: (l) => logs.push(l) }),
      enqueue: async (u, request, options) => {
        if (failuresLeft-- > 0) throw new Error('database is locked');
        return (await f.queue.enqueue([u], request, options))[0]!;
      },
      joinGroup: async () => undefined,
      refreshIntervalMs: 0,
    });
    await automation.start();
    await f.enroll(udid);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal(INVENTORY));
    expect(automation.status()).to.include({ queued: 5, failed: 0 });
  });

  it('applies assignment changes to enrolled members', async () => {
    const udid = '00008030-0000000000000E1E';
    await f.groups.create('development', {}, admin);
    await f.groups.addDevice('development', udid, admin);
    await f.enroll(udid);
    await startAutomation();
    const { profile } = await f.library.upload(wifiProfile({ identifier: 'com.example.second' }), admin);
    await f.groups.assignProfile('development', assignedProfileOf(profile), admin);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal(['InstallProfile']));
    await f.groups.unassignProfile('development', profile.sha256, admin);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal(['InstallProfile', 'RemoveProfile']));
    const remove = (await f.deviceEvents(udid)).filter((e) => e.type === 'CommandQueued').at(-1)!.data as { request: { Identifier: string } };
    expect(remove.request.Identifier).to.equal('com.example.second');
  });

  it('refreshes the inventory once per interval, also across a restart', async () => {
    const udid = '00008030-0000000000000F1E';
    await startAutomation();
    await f.enroll(udid);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal(INVENTORY));
    expect(await automation!.refreshDue(), 'nothing is due yet').to.equal(0);
    await f.time.advance(DAY);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.deep.equal([...INVENTORY, ...INVENTORY]));
    expect(await automation!.refreshDue()).to.equal(0);
    await restart();
    expect(await automation!.refreshDue()).to.equal(0);
    expect(await f.queuedRequests(udid)).to.have.length(10);
    // The automation's own timer finds it while the day passes.
    await f.time.advance(DAY);
    await eventually(async () => expect(await f.queuedRequests(udid)).to.have.length(15));
    expect(await automation!.refreshDue()).to.equal(0);
  });
});
