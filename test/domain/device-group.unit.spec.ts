import { expect } from 'chai';
import { deviceGroupDecider, type AssignedProfile, type DeviceGroupCommand, type DeviceGroupEvent } from '../../domain/device-group/device-group.js';
import { fold } from '../../domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const BY = 'admin:alice';
const spec = deciderSpec(deviceGroupDecider);
const U1 = '00008030-001A2B3C4D5E802E';
const U2 = '00008030-001A2B3C4D5E802F';

const created: DeviceGroupEvent = { type: 'DeviceGroupCreated', data: { name: 'development', description: 'Developer devices', quarantine: false, createdBy: BY, createdAt: AT } };
const profile = (sha: string, identifier = 'com.example.wifi'): AssignedProfile => ({ sha256: sha.repeat(64 / sha.length), blobId: sha.repeat(64 / sha.length), size: 100, payloadIdentifier: identifier });
const cmd = <T extends DeviceGroupCommand['type']>(type: T, rest: Omit<Extract<DeviceGroupCommand, { type: T }>, 'type' | 'name' | 'by' | 'at'>): DeviceGroupCommand =>
  ({ type, name: 'development', by: BY, at: AT, ...rest }) as DeviceGroupCommand;
const member = (udid: string): DeviceGroupEvent => ({ type: 'DeviceGroupMemberAdded', data: { name: 'development', udid, addedBy: BY, addedAt: AT } });

describe('device group decider', () => {
  it('creates a group once; the same create again changes nothing, a different one clashes', () => {
    spec.given([]).when({ type: 'CreateDeviceGroup', name: 'development', description: 'Developer devices', quarantine: false, by: BY, at: AT }).then([created]);
    spec.given([created]).when({ type: 'CreateDeviceGroup', name: 'development', description: 'Developer devices', quarantine: false, by: BY, at: AT }).thenNothing();
    spec.given([created]).when({ type: 'CreateDeviceGroup', name: 'development', description: 'Developer devices', quarantine: true, by: BY, at: AT }).thenThrows('group-exists');
  });

  it('refuses names that are not slugs and descriptions with control characters', () => {
    for (const name of ['', 'Development', 'dev ops', '-dev', 'a'.repeat(64), 'dév', '../x']) {
      spec.given([]).when({ type: 'CreateDeviceGroup', name, description: '', quarantine: false, by: BY, at: AT }).thenThrows('invalid-group-name');
    }
    spec.given([]).when({ type: 'CreateDeviceGroup', name: 'ok', description: 'two\nlines', quarantine: false, by: BY, at: AT }).thenThrows('invalid-description');
  });

  it('everything but create needs an existing group', () => {
    spec.given([]).when(cmd('AddDeviceToGroup', { udid: U1 })).thenThrows('unknown-group');
    spec.given([]).when(cmd('SetDeviceGroupQuarantine', { quarantine: true })).thenThrows('unknown-group');
    spec.given([]).when(cmd('DeleteDeviceGroup', {})).thenThrows('unknown-group');
  });

  it('adds a member once, with the enrollment it came from; removes only a member', () => {
    spec.given([created]).when(cmd('AddDeviceToGroup', { udid: U1, enrollmentId: 'e1' })).then([{ type: 'DeviceGroupMemberAdded', data: { name: 'development', udid: U1, enrollmentId: 'e1', addedBy: BY, addedAt: AT } }]);
    spec.given([created, member(U1)]).when(cmd('AddDeviceToGroup', { udid: U1 })).thenNothing();
    spec.given([created]).when(cmd('AddDeviceToGroup', { udid: 'short' })).thenThrows('invalid-udid');
    spec.given([created]).when(cmd('RemoveDeviceFromGroup', { udid: U1 })).thenThrows('not-a-member');
    spec.given([created, member(U1)]).when(cmd('RemoveDeviceFromGroup', { udid: U1 })).then([{ type: 'DeviceGroupMemberRemoved', data: { name: 'development', udid: U1, removedBy: BY, removedAt: AT } }]);
  });

  it('changes the quarantine flag only when it changes', () => {
    spec.given([created]).when(cmd('SetDeviceGroupQuarantine', { quarantine: false })).thenNothing();
    spec.given([created]).when(cmd('SetDeviceGroupQuarantine', { quarantine: true })).then([{ type: 'DeviceGroupQuarantineChanged', data: { name: 'development', quarantine: true, changedBy: BY, changedAt: AT } }]);
  });

  it('assigns a profile once, and never two with the same PayloadIdentifier', () => {
    const assigned: DeviceGroupEvent = { type: 'DeviceGroupProfileAssigned', data: { name: 'development', profile: profile('a'), assignedBy: BY, assignedAt: AT } };
    spec.given([created]).when(cmd('AssignProfileToGroup', { profile: profile('a') })).then([assigned]);
    spec.given([created, assigned]).when(cmd('AssignProfileToGroup', { profile: profile('a') })).thenNothing();
    spec.given([created, assigned]).when(cmd('AssignProfileToGroup', { profile: profile('b') })).thenThrows('profile-identifier-assigned');
    spec.given([created, assigned]).when(cmd('AssignProfileToGroup', { profile: profile('b', 'com.example.vpn') })).then([{ type: 'DeviceGroupProfileAssigned', data: { name: 'development', profile: profile('b', 'com.example.vpn'), assignedBy: BY, assignedAt: AT } }]);
    spec.given([created]).when(cmd('AssignProfileToGroup', { profile: { ...profile('a'), sha256: 'nothex' } })).thenThrows('invalid-profile');
    spec.given([created, assigned]).when(cmd('UnassignProfileFromGroup', { sha256: 'a'.repeat(64) })).then([{ type: 'DeviceGroupProfileUnassigned', data: { name: 'development', sha256: 'a'.repeat(64), payloadIdentifier: 'com.example.wifi', unassignedBy: BY, unassignedAt: AT } }]);
    spec.given([created]).when(cmd('UnassignProfileFromGroup', { sha256: 'a'.repeat(64) })).thenThrows('profile-not-assigned');
  });

  it('assigns apps that could be queued: one source, https manifests, a bundle identifier', () => {
    const app = { bundleIdentifier: 'com.example.app', iTunesStoreID: 12345, managementFlags: 1 as const };
    spec.given([created]).when(cmd('AssignAppToGroup', { app })).then([{ type: 'DeviceGroupAppAssigned', data: { name: 'development', app, assignedBy: BY, assignedAt: AT } }]);
    const assigned: DeviceGroupEvent = { type: 'DeviceGroupAppAssigned', data: { name: 'development', app, assignedBy: BY, assignedAt: AT } };
    spec.given([created, assigned]).when(cmd('AssignAppToGroup', { app })).thenNothing();
    spec.given([created, assigned]).when(cmd('AssignAppToGroup', { app: { ...app, iTunesStoreID: 999 } })).thenThrows('app-assigned');
    spec.given([created]).when(cmd('AssignAppToGroup', { app: { bundleIdentifier: 'com.example.app' } })).thenThrows('invalid-app');
    spec.given([created]).when(cmd('AssignAppToGroup', { app: { bundleIdentifier: 'com.example.app', iTunesStoreID: 1, manifestUrl: 'https://example.com/m.plist' } })).thenThrows('invalid-app');
    spec.given([created]).when(cmd('AssignAppToGroup', { app: { bundleIdentifier: 'com.example.app', manifestUrl: 'http://example.com/m.plist' } })).thenThrows('invalid-app');
    spec.given([created]).when(cmd('AssignAppToGroup', { app: { bundleIdentifier: 'com.example.app', manifestUrl: 'https://user:pw@example.com/m.plist' } })).thenThrows('invalid-app');
    spec.given([created]).when(cmd('AssignAppToGroup', { app: { bundleIdentifier: 'not a bundle id', iTunesStoreID: 1 } })).thenThrows('invalid-app');
    spec.given([created, assigned]).when(cmd('UnassignAppFromGroup', { bundleIdentifier: 'com.example.app' })).then([{ type: 'DeviceGroupAppUnassigned', data: { name: 'development', bundleIdentifier: 'com.example.app', unassignedBy: BY, unassignedAt: AT } }]);
    spec.given([created]).when(cmd('UnassignAppFromGroup', { bundleIdentifier: 'com.example.app' })).thenThrows('app-not-assigned');
  });

  it('deletes only an empty group; created again, it starts empty', () => {
    spec.given([created, member(U1)]).when(cmd('DeleteDeviceGroup', {})).thenThrows('group-not-empty');
    const removed: DeviceGroupEvent = { type: 'DeviceGroupMemberRemoved', data: { name: 'development', udid: U1, removedBy: BY, removedAt: AT } };
    const deleted: DeviceGroupEvent = { type: 'DeviceGroupDeleted', data: { name: 'development', deletedBy: BY, deletedAt: AT } };
    spec.given([created, member(U1), removed]).when(cmd('DeleteDeviceGroup', {})).then([deleted]);
    const assigned: DeviceGroupEvent = { type: 'DeviceGroupProfileAssigned', data: { name: 'development', profile: profile('a'), assignedBy: BY, assignedAt: AT } };
    const again = fold(deviceGroupDecider, [created, assigned, deleted, created]);
    expect(again.exists).to.equal(true);
    expect(again.profiles).to.deep.equal([]);
    expect(again.members.size).to.equal(0);
  });

  it('folds a large membership quickly and exactly', () => {
    const events: DeviceGroupEvent[] = [created];
    for (let i = 0; i < 30_000; i++) events.push(member(`DEVICE-${String(i).padStart(8, '0')}`));
    for (let i = 0; i < 30_000; i += 2) events.push({ type: 'DeviceGroupMemberRemoved', data: { name: 'development', udid: `DEVICE-${String(i).padStart(8, '0')}`, removedBy: BY, removedAt: AT } });
    const started = process.hrtime.bigint();
    const state = fold(deviceGroupDecider, events);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(state.members.size).to.equal(15_000);
    expect(state.members.has('DEVICE-00000001')).to.equal(true);
    expect(state.members.has('DEVICE-00000002')).to.equal(false);
    expect([...state.members]).to.have.length(15_000);
    // Copying the member set at every event would take tens of seconds here.
    expect(ms).to.be.below(5_000);
    spec.given([created, member(U2)]).when(cmd('AddDeviceToGroup', { udid: U2 })).thenNothing();
  });
});
