import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AutomationPlanner, type AutomationAction, type PlannedEvent } from '../../application/automation/automation-planner.js';
import { refreshSlotMs } from '../../application/automation/refresh-schedule.js';
import type { AssignedProfile } from '../../domain/device-group/device-group.js';

const U1 = '00008030-000000000000001E';
const U2 = '00008030-000000000000002E';
const AT = '2026-03-01T10:00:00.000Z';
const DAY = 24 * 3_600_000;
const P = (c: string, identifier = `com.example.${c}`): AssignedProfile => ({ sha256: c.repeat(64), blobId: c.repeat(64), size: 10, payloadIdentifier: identifier });
const APP = { bundleIdentifier: 'com.example.app', iTunesStoreID: 42 };

let counter = 0;
function ev(type: string, data: Record<string, unknown>, at = AT): PlannedEvent {
  counter++;
  return { eventId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`, type, data, metadata: { occurredAt: at }, recordedAt: at };
}
const group = (name: string) => ev('DeviceGroupCreated', { name, description: '', quarantine: false, createdBy: 'admin:a', createdAt: AT });
const member = (name: string, udid: string) => ev('DeviceGroupMemberAdded', { name, udid, addedBy: 'admin:a', addedAt: AT });
const leave = (name: string, udid: string) => ev('DeviceGroupMemberRemoved', { name, udid, removedBy: 'admin:a', removedAt: AT });
const assign = (name: string, profile: AssignedProfile) => ev('DeviceGroupProfileAssigned', { name, profile, assignedBy: 'admin:a', assignedAt: AT });
const unassign = (name: string, profile: AssignedProfile) => ev('DeviceGroupProfileUnassigned', { name, sha256: profile.sha256, payloadIdentifier: profile.payloadIdentifier, unassignedBy: 'admin:a', unassignedAt: AT });
const assignApp = (name: string) => ev('DeviceGroupAppAssigned', { name, app: APP, assignedBy: 'admin:a', assignedAt: AT });
const unassignApp = (name: string) => ev('DeviceGroupAppUnassigned', { name, bundleIdentifier: APP.bundleIdentifier, unassignedBy: 'admin:a', unassignedAt: AT });
const authenticate = (udid: string, enrollmentId: string, group?: string) => ev('EnrollmentDeviceAuthenticated', { enrollmentId, udid, certificateSha256: 'c'.repeat(64), ...(group ? { group } : {}), authenticatedAt: AT });
const quarantined = (udid: string, enrollmentId: string) => ev('EnrollmentQuarantined', { enrollmentId, udid, quarantinedAt: AT });
const approved = (udid: string, enrollmentId: string) => ev('EnrollmentApproved', { enrollmentId, udid, approvedBy: 'admin:a', approvedAt: AT });
const rejected = (udid: string, enrollmentId: string) => ev('EnrollmentRejected', { enrollmentId, udid, certificateSha256: 'c'.repeat(64), rejectedBy: 'admin:a', rejectedAt: AT });
const authenticated = (udid: string) => ev('DeviceEnrollmentStarted', { udid, topic: 't', certificateHash: 'c', facts: {}, reenrollment: false, startedAt: AT });
const enrolled = (udid: string, at = AT) => ev('DeviceEnrolled', { udid, topic: 't', pushToken: 'ab', pushMagic: 'm', enrolledAt: at }, at);
const checkedOut = (udid: string) => ev('DeviceCheckedOut', { udid, checkedOutAt: AT });
// The device stream's own quarantine (the global one, or a certificate of no enrollment), per certificate.
const startedWith = (udid: string, certificateHash: string, enrollmentId?: string) => ev('DeviceEnrollmentStarted', { udid, topic: 't', certificateHash, facts: {}, reenrollment: false, ...(enrollmentId ? { enrollmentId } : {}), startedAt: AT });
const deviceQuarantined = (udid: string, certificateHash: string, enrollmentId?: string) => ev('DeviceQuarantined', { udid, certificateHash, ...(enrollmentId ? { enrollmentId } : {}), quarantinedAt: AT });
const deviceApproved = (udid: string, enrollmentId?: string) => ev('DeviceApproved', { udid, ...(enrollmentId ? { enrollmentId } : {}), approvedBy: 'admin:a', approvedAt: AT });
const deviceRejected = (udid: string, certificateHash: string) => ev('DeviceRejected', { udid, certificateHash, rejectedBy: 'admin:a', rejectedAt: AT });
const rebound = (udid: string, previousCertificateHash: string, certificateHash: string) => ev('DeviceCertificateRebound', { udid, previousCertificateHash, certificateHash, facts: {}, reboundAt: AT });

/** The requests an action list queues, as "<udid> <RequestType>[ <key>]". */
function summary(actions: readonly AutomationAction[]): string[] {
  return actions.map((a) => {
    if (a.kind === 'join-group') return `${a.udid} join ${a.group}`;
    const r = a.request;
    const key = r['Identifier'] ?? (r['Payload'] as { sha256?: string } | undefined)?.sha256?.slice(0, 1) ?? r['iTunesStoreID'] ?? '';
    return `${a.udid} ${String(r['requestType'])}${key === '' ? '' : ` ${String(key)}`}`;
  });
}

const INVENTORY = ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList'];
const inventory = (udid: string) => INVENTORY.map((t) => `${udid} ${t}`);

function run(planner: AutomationPlanner, events: PlannedEvent[]): AutomationAction[] {
  return events.flatMap((e) => planner.apply(e));
}

describe('automation planner', () => {
  it('queues the inventory when a device enrolls, with ids that the same events always give', () => {
    const events = [authenticated(U1), enrolled(U1)];
    const first = run(new AutomationPlanner(), events);
    expect(summary(first)).to.deep.equal(inventory(U1));
    expect(first.every((a) => a.kind === 'enqueue' && a.reason === 'post-enrollment')).to.equal(true);
    const again = run(new AutomationPlanner(), events);
    expect(again).to.deep.equal(first);
    expect(new Set(first.map((a) => (a.kind === 'enqueue' ? a.commandUuid : ''))).size).to.equal(5);
  });

  it('installs what the device\'s groups assign when it enrolls', () => {
    const planner = new AutomationPlanner();
    run(planner, [group('development'), assign('development', P('a')), assignApp('development'), member('development', U1), authenticated(U1)]);
    expect(summary(planner.apply(enrolled(U1)))).to.deep.equal([...inventory(U1), `${U1} InstallProfile a`, `${U1} InstallApplication 42`]);
  });

  it('joins the device to its enrollment\'s group, unless it is a member already or the name is no group name', () => {
    const planner = new AutomationPlanner();
    run(planner, [group('development')]);
    const [join] = planner.apply(authenticate(U1, 'e1', 'development'));
    expect(join).to.include({ kind: 'join-group', udid: U1, group: 'development', enrollmentId: 'e1' });
    planner.apply(member('development', U1));
    expect(planner.apply(authenticate(U1, 'e2', 'development'))).to.deep.equal([]);
    expect(planner.apply(authenticate(U2, 'e3', 'Not A Group'))).to.deep.equal([]);
    expect(planner.apply(authenticate(U2, 'e4'))).to.deep.equal([]);
  });

  it('holds a quarantined device until approval, then queues everything; never for a rejected one', () => {
    const planner = new AutomationPlanner();
    run(planner, [group('production'), assign('production', P('a')), member('production', U1), member('production', U2)]);
    expect(run(planner, [authenticate(U1, 'e1', 'production'), quarantined(U1, 'e1'), authenticated(U1), enrolled(U1)]).filter((a) => a.kind === 'enqueue')).to.deep.equal([]);
    // While held, group changes pass it by.
    expect(planner.apply(assign('production', P('b')))).to.deep.equal([]);
    expect(summary(planner.apply(approved(U1, 'e1')))).to.deep.equal([...inventory(U1), `${U1} InstallProfile a`, `${U1} InstallProfile b`]);
    expect(planner.apply(approved(U1, 'e1')), 'a second approval').to.deep.equal([]);

    expect(run(planner, [authenticate(U2, 'e2'), quarantined(U2, 'e2'), authenticated(U2), enrolled(U2), rejected(U2, 'e2'), approved(U2, 'e2')])).to.deep.equal([]);
    // A new enrollment starts afresh.
    expect(summary(run(planner, [authenticate(U2, 'e3'), authenticated(U2), enrolled(U2)]))).to.deep.equal([...inventory(U2), `${U2} InstallProfile a`, `${U2} InstallProfile b`]);
  });

  it('approval before the device finishes enrolling: everything at DeviceEnrolled, once', () => {
    const planner = new AutomationPlanner();
    expect(run(planner, [authenticate(U1, 'e1'), quarantined(U1, 'e1'), authenticated(U1), approved(U1, 'e1')])).to.deep.equal([]);
    expect(summary(planner.apply(enrolled(U1)))).to.deep.equal(inventory(U1));
  });

  describe('quarantine recorded on the device stream only', () => {
    const X = '1a'.repeat(32);
    const Y = '2b'.repeat(32);

    it('holds the device (no inventory, no group changes, no refresh) until DeviceApproved, which queues everything once', () => {
      const planner = new AutomationPlanner();
      run(planner, [group('production'), assign('production', P('a')), member('production', U1)]);
      expect(run(planner, [startedWith(U1, X), deviceQuarantined(U1, X), enrolled(U1)]), 'held at enrollment').to.deep.equal([]);
      expect(planner.apply(assign('production', P('b'))), 'held at a group change').to.deep.equal([]);
      expect(planner.activeDevices).to.equal(0);
      expect(planner.dueRefreshes(Date.parse(AT), Date.parse(AT) + 2 * DAY, DAY), 'held at refresh time').to.deep.equal([]);
      const released = planner.apply(deviceApproved(U1));
      expect(summary(released)).to.deep.equal([...inventory(U1), `${U1} InstallProfile a`, `${U1} InstallProfile b`]);
      expect(released.every((a) => a.kind === 'enqueue' && a.reason === 'post-enrollment')).to.equal(true);
      expect(planner.apply(deviceApproved(U1)), 'a second approval').to.deep.equal([]);
      expect(planner.activeDevices).to.equal(1);
    });

    it('approval before the device finishes enrolling: everything at DeviceEnrolled', () => {
      const planner = new AutomationPlanner();
      expect(run(planner, [startedWith(U1, X), deviceQuarantined(U1, X), deviceApproved(U1)])).to.deep.equal([]);
      expect(summary(planner.apply(enrolled(U1)))).to.deep.equal(inventory(U1));
    });

    it('a rejected device gets nothing, not even after an approval; another identity is decided anew', () => {
      const planner = new AutomationPlanner();
      expect(run(planner, [startedWith(U1, X), deviceQuarantined(U1, X), enrolled(U1), deviceRejected(U1, X), deviceApproved(U1)])).to.deep.equal([]);
      expect(planner.dueRefreshes(Date.parse(AT), Date.parse(AT) + 2 * DAY, DAY)).to.deep.equal([]);
      // The same identity again (the server refuses it, but the planner must not be the one to let it in).
      expect(run(planner, [startedWith(U1, X), enrolled(U1)])).to.deep.equal([]);
      // Another identity, held again under the global quarantine, then approved.
      expect(run(planner, [startedWith(U1, Y), deviceQuarantined(U1, Y), enrolled(U1)])).to.deep.equal([]);
      expect(summary(planner.apply(deviceApproved(U1)))).to.deep.equal(inventory(U1));
      // Another identity the quarantine no longer applies to: active at once.
      const planner2 = new AutomationPlanner();
      run(planner2, [startedWith(U2, X), deviceQuarantined(U2, X), enrolled(U2), deviceRejected(U2, X)]);
      expect(summary(run(planner2, [startedWith(U2, Y), enrolled(U2)]))).to.deep.equal(inventory(U2));
    });

    it('a renewed identity keeps the hold of the one it replaces', () => {
      const planner = new AutomationPlanner();
      run(planner, [startedWith(U1, X), deviceQuarantined(U1, X), enrolled(U1), rebound(U1, X, Y), checkedOut(U1)]);
      expect(run(planner, [startedWith(U1, Y), enrolled(U1)])).to.deep.equal([]);
      expect(summary(planner.apply(deviceApproved(U1)))).to.deep.equal(inventory(U1));
    });

    it('an enrollment\'s quarantine, recorded on both streams, is lifted once by whichever approval comes first', () => {
      const planner = new AutomationPlanner();
      const held = (udid: string, enrollmentId: string, cert: string) => [
        ev('EnrollmentDeviceAuthenticated', { enrollmentId, udid, certificateSha256: cert, authenticatedAt: AT }), quarantined(udid, enrollmentId),
        startedWith(udid, cert, enrollmentId), deviceQuarantined(udid, cert, enrollmentId), enrolled(udid),
      ];
      expect(run(planner, held(U1, 'e1', X))).to.deep.equal([]);
      expect(summary(run(planner, [approved(U1, 'e1'), deviceApproved(U1, 'e1')]))).to.deep.equal(inventory(U1));
      expect(run(planner, held(U2, 'e2', Y))).to.deep.equal([]);
      expect(summary(run(planner, [deviceApproved(U2, 'e2'), approved(U2, 'e2')]))).to.deep.equal(inventory(U2));
    });
  });

  it('applies assignment changes to active members only', () => {
    const planner = new AutomationPlanner();
    run(planner, [group('development'), member('development', U1), member('development', U2), authenticated(U1), enrolled(U1), authenticated(U2)]);
    const actions = planner.apply(assign('development', P('b')));
    expect(summary(actions)).to.deep.equal([`${U1} InstallProfile b`]);
    expect(actions[0]).to.include({ reason: 'device-groups' });
    expect(summary(planner.apply(unassign('development', P('b'))))).to.deep.equal([`${U1} RemoveProfile com.example.b`]);
    expect(summary(planner.apply(assignApp('development')))).to.deep.equal([`${U1} InstallApplication 42`]);
    expect(summary(planner.apply(unassignApp('development')))).to.deep.equal([`${U1} RemoveApplication com.example.app`]);
  });

  it('removes only what no other group still gives, and reinstalls the other group\'s version of an identifier', () => {
    const planner = new AutomationPlanner();
    const mine = P('a', 'com.example.wifi');
    const theirs = P('b', 'com.example.wifi');
    run(planner, [group('alpha'), group('beta'), assign('alpha', mine), assign('beta', mine), member('alpha', U1), member('beta', U1), authenticated(U1), enrolled(U1)]);
    expect(planner.apply(unassign('alpha', mine)), 'beta still installs it').to.deep.equal([]);
    run(planner, [assign('alpha', mine), unassign('beta', mine)]);
    expect(summary(planner.apply(assign('beta', theirs))), 'alpha comes first by name').to.deep.equal([]);
    expect(summary(planner.apply(unassign('alpha', mine)))).to.deep.equal([`${U1} InstallProfile b`]);
    expect(summary(planner.apply(leave('beta', U1)))).to.deep.equal([`${U1} RemoveProfile com.example.wifi`]);
  });

  it('a device leaving or joining a group loses or gets that group\'s profiles and apps', () => {
    const planner = new AutomationPlanner();
    run(planner, [group('development'), assign('development', P('a')), assignApp('development'), authenticated(U1), enrolled(U1)]);
    expect(summary(planner.apply(member('development', U1)))).to.deep.equal([`${U1} InstallProfile a`, `${U1} InstallApplication 42`]);
    expect(summary(planner.apply(leave('development', U1)))).to.deep.equal([`${U1} RemoveProfile com.example.a`, `${U1} RemoveApplication com.example.app`]);
  });

  it('re-enrollment queues everything again, with new ids; a checked-out device gets nothing', () => {
    const planner = new AutomationPlanner();
    const first = run(planner, [group('development'), assign('development', P('a')), member('development', U1), authenticated(U1), enrolled(U1)]);
    const second = run(planner, [authenticated(U1), enrolled(U1)]);
    expect(summary(second)).to.deep.equal(summary(first));
    const ids = (list: AutomationAction[]) => list.map((a) => (a.kind === 'enqueue' ? a.commandUuid : ''));
    expect(ids(second).filter((id) => ids(first).includes(id))).to.deep.equal([]);
    planner.apply(checkedOut(U1));
    expect(planner.apply(assign('development', P('b')))).to.deep.equal([]);
  });

  it('ignores events it does not know and groups that were never created', () => {
    const planner = new AutomationPlanner();
    expect(planner.apply(ev('CommandQueued', { commandUuid: randomUUID() }))).to.deep.equal([]);
    expect(planner.apply(member('ghost', U1))).to.deep.equal([]);
    expect(planner.apply(assign('ghost', P('a')))).to.deep.equal([]);
  });

  describe('inventory refresh', () => {
    const start = Date.parse(AT);

    it('refreshes each active device once per interval, at its own slot, with ids per device and period', () => {
      const planner = new AutomationPlanner();
      run(planner, [authenticated(U1), enrolled(U1), authenticated(U2), enrolled(U2), checkedOut(U2)]);
      const day = planner.dueRefreshes(start, start + DAY, DAY);
      expect(summary(day)).to.deep.equal(inventory(U1));
      expect(day.every((a) => a.kind === 'enqueue' && a.reason === 'inventory-refresh')).to.equal(true);
      // The same window split in two gives the same commands.
      const cut = start + 5 * 3_600_000;
      expect([...planner.dueRefreshes(start, cut, DAY), ...planner.dueRefreshes(cut, start + DAY, DAY)]).to.deep.equal(day);
      const nextDay = planner.dueRefreshes(start + DAY, start + 2 * DAY, DAY);
      expect(summary(nextDay)).to.deep.equal(inventory(U1));
      const ids = (list: AutomationAction[]) => list.map((a) => (a.kind === 'enqueue' ? a.commandUuid : ''));
      expect(ids(nextDay).filter((id) => ids(day).includes(id))).to.deep.equal([]);
      expect(planner.dueRefreshes(start, start + DAY, 0)).to.deep.equal([]);
    });

    it('no refresh at a slot before the device became active', () => {
      const slot = refreshSlotMs(U1, DAY);
      const dayStart = Math.floor(start / DAY) * DAY;
      const enrolledAt = new Date(dayStart + slot + 60_000).toISOString();
      const planner = new AutomationPlanner();
      run(planner, [authenticated(U1), enrolled(U1, enrolledAt)]);
      expect(planner.dueRefreshes(dayStart, dayStart + DAY, DAY)).to.deep.equal([]);
      expect(summary(planner.dueRefreshes(dayStart + DAY, dayStart + 2 * DAY, DAY))).to.deep.equal(inventory(U1));
    });

    it('spreads devices over the interval', () => {
      const slots = Array.from({ length: 1000 }, (_, i) => refreshSlotMs(`DEVICE-${i}`, DAY));
      const hours = new Set(slots.map((s) => Math.floor(s / 3_600_000)));
      expect(hours.size).to.equal(24);
      expect(new Set(slots).size).to.be.above(990);
    });
  });
});
