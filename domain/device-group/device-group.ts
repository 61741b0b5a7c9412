import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import { StringSet } from '../shared/string-set.js';
import { sameApp, validateAssignedApp, type AssignedApp, type AssignedProfile } from './assignments.js';
import { isGroupName, isUdid } from './group-names.js';

export type { AssignedApp, AssignedProfile } from './assignments.js';

/**
 * A device group (seed 003: `development`, `production`): its members, the library profiles and the
 * apps every member gets, and whether devices enrolling into it wait for an admin's approval.
 * Stream `device-group-<name>`. A deleted group may be created again and starts empty.
 */
export type DeviceGroupCommand =
  | { readonly type: 'CreateDeviceGroup'; readonly name: string; readonly description: string; readonly quarantine: boolean; readonly by: string; readonly at: string }
  | { readonly type: 'SetDeviceGroupQuarantine'; readonly name: string; readonly quarantine: boolean; readonly by: string; readonly at: string }
  | { readonly type: 'AddDeviceToGroup'; readonly name: string; readonly udid: string; readonly enrollmentId?: string; readonly by: string; readonly at: string }
  | { readonly type: 'RemoveDeviceFromGroup'; readonly name: string; readonly udid: string; readonly by: string; readonly at: string }
  | { readonly type: 'AssignProfileToGroup'; readonly name: string; readonly profile: AssignedProfile; readonly by: string; readonly at: string }
  | { readonly type: 'UnassignProfileFromGroup'; readonly name: string; readonly sha256: string; readonly by: string; readonly at: string }
  | { readonly type: 'AssignAppToGroup'; readonly name: string; readonly app: AssignedApp; readonly by: string; readonly at: string }
  | { readonly type: 'UnassignAppFromGroup'; readonly name: string; readonly bundleIdentifier: string; readonly by: string; readonly at: string }
  | { readonly type: 'DeleteDeviceGroup'; readonly name: string; readonly by: string; readonly at: string };

export type DeviceGroupCreated = { readonly type: 'DeviceGroupCreated'; readonly data: { readonly name: string; readonly description: string; readonly quarantine: boolean; readonly createdBy: string; readonly createdAt: string } };
export type DeviceGroupQuarantineChanged = { readonly type: 'DeviceGroupQuarantineChanged'; readonly data: { readonly name: string; readonly quarantine: boolean; readonly changedBy: string; readonly changedAt: string } };
/** `enrollmentId` when the device joined through its enrollment (the token's or the user's group). */
export type DeviceGroupMemberAdded = { readonly type: 'DeviceGroupMemberAdded'; readonly data: { readonly name: string; readonly udid: string; readonly enrollmentId?: string; readonly addedBy: string; readonly addedAt: string } };
export type DeviceGroupMemberRemoved = { readonly type: 'DeviceGroupMemberRemoved'; readonly data: { readonly name: string; readonly udid: string; readonly removedBy: string; readonly removedAt: string } };
export type DeviceGroupProfileAssigned = { readonly type: 'DeviceGroupProfileAssigned'; readonly data: { readonly name: string; readonly profile: AssignedProfile; readonly assignedBy: string; readonly assignedAt: string } };
export type DeviceGroupProfileUnassigned = { readonly type: 'DeviceGroupProfileUnassigned'; readonly data: { readonly name: string; readonly sha256: string; readonly payloadIdentifier: string; readonly unassignedBy: string; readonly unassignedAt: string } };
export type DeviceGroupAppAssigned = { readonly type: 'DeviceGroupAppAssigned'; readonly data: { readonly name: string; readonly app: AssignedApp; readonly assignedBy: string; readonly assignedAt: string } };
export type DeviceGroupAppUnassigned = { readonly type: 'DeviceGroupAppUnassigned'; readonly data: { readonly name: string; readonly bundleIdentifier: string; readonly unassignedBy: string; readonly unassignedAt: string } };
/** Only an empty group can be deleted; its assignments go with it. */
export type DeviceGroupDeleted = { readonly type: 'DeviceGroupDeleted'; readonly data: { readonly name: string; readonly deletedBy: string; readonly deletedAt: string } };

export type DeviceGroupEvent =
  | DeviceGroupCreated
  | DeviceGroupQuarantineChanged
  | DeviceGroupMemberAdded
  | DeviceGroupMemberRemoved
  | DeviceGroupProfileAssigned
  | DeviceGroupProfileUnassigned
  | DeviceGroupAppAssigned
  | DeviceGroupAppUnassigned
  | DeviceGroupDeleted;

export const DEVICE_GROUP_EVENT_TYPES: ReadonlySet<string> = new Set<DeviceGroupEvent['type']>([
  'DeviceGroupCreated', 'DeviceGroupQuarantineChanged', 'DeviceGroupMemberAdded', 'DeviceGroupMemberRemoved',
  'DeviceGroupProfileAssigned', 'DeviceGroupProfileUnassigned', 'DeviceGroupAppAssigned', 'DeviceGroupAppUnassigned', 'DeviceGroupDeleted',
]);

export interface DeviceGroupState {
  readonly exists: boolean;
  readonly name?: string;
  readonly description: string;
  readonly quarantine: boolean;
  readonly createdAt?: string;
  readonly members: StringSet;
  /** In order of assignment. */
  readonly profiles: readonly AssignedProfile[];
  readonly apps: readonly AssignedApp[];
}

export const deviceGroupStreamId = (name: string): string => `device-group-${name}`;

export const MAX_DESCRIPTION_LENGTH = 512;
const CONTROL = /[\u0000-\u001f\u007f]/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_PROFILES = 200;
const MAX_APPS = 500;

const initialState = (): DeviceGroupState => ({ exists: false, description: '', quarantine: false, members: StringSet.empty, profiles: [], apps: [] });

function requireGroup(s: DeviceGroupState, name: string): void {
  if (!isGroupName(name)) throw new DomainError('invalid-group-name', 'a group name is 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
  if (!s.exists) throw new DomainError('unknown-group', `there is no device group ${name}`);
}

function requireUdid(udid: string): void {
  if (!isUdid(udid)) throw new DomainError('invalid-udid', 'a UDID is 8-64 letters, digits and "-"');
}

function checkProfile(p: AssignedProfile): void {
  if (!SHA256.test(p.sha256) || p.payloadIdentifier.length === 0 || p.payloadIdentifier.length > 255 || CONTROL.test(p.payloadIdentifier) || !(Number.isSafeInteger(p.size) && p.size > 0) || p.blobId.length === 0) {
    throw new DomainError('invalid-profile', 'the profile reference is incomplete');
  }
}

function decide(c: DeviceGroupCommand, s: DeviceGroupState): DeviceGroupEvent[] {
  switch (c.type) {
    case 'CreateDeviceGroup': {
      if (!isGroupName(c.name)) throw new DomainError('invalid-group-name', 'a group name is 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
      if (c.description.length > MAX_DESCRIPTION_LENGTH || CONTROL.test(c.description)) throw new DomainError('invalid-description', `a description is up to ${MAX_DESCRIPTION_LENGTH} characters on one line`);
      if (s.exists) {
        // Creating it again as it is changes nothing (a retried script); anything else is a clash.
        if (s.description === c.description && s.quarantine === c.quarantine) return [];
        throw new DomainError('group-exists', `device group ${c.name} already exists`);
      }
      return [{ type: 'DeviceGroupCreated', data: { name: c.name, description: c.description, quarantine: c.quarantine, createdBy: c.by, createdAt: c.at } }];
    }
    case 'SetDeviceGroupQuarantine':
      requireGroup(s, c.name);
      return s.quarantine === c.quarantine ? [] : [{ type: 'DeviceGroupQuarantineChanged', data: { name: c.name, quarantine: c.quarantine, changedBy: c.by, changedAt: c.at } }];
    case 'AddDeviceToGroup':
      requireGroup(s, c.name);
      requireUdid(c.udid);
      if (s.members.has(c.udid)) return [];
      return [{ type: 'DeviceGroupMemberAdded', data: { name: c.name, udid: c.udid, ...(c.enrollmentId ? { enrollmentId: c.enrollmentId } : {}), addedBy: c.by, addedAt: c.at } }];
    case 'RemoveDeviceFromGroup':
      requireGroup(s, c.name);
      requireUdid(c.udid);
      if (!s.members.has(c.udid)) throw new DomainError('not-a-member', `device ${c.udid} is not in group ${c.name}`);
      return [{ type: 'DeviceGroupMemberRemoved', data: { name: c.name, udid: c.udid, removedBy: c.by, removedAt: c.at } }];
    case 'AssignProfileToGroup': {
      requireGroup(s, c.name);
      checkProfile(c.profile);
      if (s.profiles.some((p) => p.sha256 === c.profile.sha256)) return [];
      // RemoveProfile names a PayloadIdentifier: two versions of one profile in a group could not be told apart.
      const clash = s.profiles.find((p) => p.payloadIdentifier === c.profile.payloadIdentifier);
      if (clash) throw new DomainError('profile-identifier-assigned', `group ${c.name} already installs ${c.profile.payloadIdentifier} (profile ${clash.sha256.slice(0, 12)}); unassign it first`);
      if (s.profiles.length >= MAX_PROFILES) throw new DomainError('too-many-profiles', `a group assigns at most ${MAX_PROFILES} profiles`);
      return [{ type: 'DeviceGroupProfileAssigned', data: { name: c.name, profile: c.profile, assignedBy: c.by, assignedAt: c.at } }];
    }
    case 'UnassignProfileFromGroup': {
      requireGroup(s, c.name);
      const assigned = s.profiles.find((p) => p.sha256 === c.sha256);
      if (!assigned) throw new DomainError('profile-not-assigned', `group ${c.name} does not assign profile ${c.sha256.slice(0, 12)}`);
      return [{ type: 'DeviceGroupProfileUnassigned', data: { name: c.name, sha256: assigned.sha256, payloadIdentifier: assigned.payloadIdentifier, unassignedBy: c.by, unassignedAt: c.at } }];
    }
    case 'AssignAppToGroup': {
      requireGroup(s, c.name);
      const app = validateAssignedApp(c.app);
      const current = s.apps.find((a) => a.bundleIdentifier === app.bundleIdentifier);
      if (current && sameApp(current, app)) return [];
      if (current) throw new DomainError('app-assigned', `group ${c.name} already installs ${app.bundleIdentifier} from another source; unassign it first`);
      if (s.apps.length >= MAX_APPS) throw new DomainError('too-many-apps', `a group assigns at most ${MAX_APPS} apps`);
      return [{ type: 'DeviceGroupAppAssigned', data: { name: c.name, app, assignedBy: c.by, assignedAt: c.at } }];
    }
    case 'UnassignAppFromGroup':
      requireGroup(s, c.name);
      if (!s.apps.some((a) => a.bundleIdentifier === c.bundleIdentifier)) throw new DomainError('app-not-assigned', `group ${c.name} does not assign ${c.bundleIdentifier}`);
      return [{ type: 'DeviceGroupAppUnassigned', data: { name: c.name, bundleIdentifier: c.bundleIdentifier, unassignedBy: c.by, unassignedAt: c.at } }];
    case 'DeleteDeviceGroup':
      requireGroup(s, c.name);
      // Deleting a group with members would strip its profiles and apps from every one of them at once.
      if (s.members.size > 0) throw new DomainError('group-not-empty', `device group ${c.name} still has ${s.members.size} device(s); remove them first`);
      return [{ type: 'DeviceGroupDeleted', data: { name: c.name, deletedBy: c.by, deletedAt: c.at } }];
  }
}

function evolve(s: DeviceGroupState, e: DeviceGroupEvent): DeviceGroupState {
  switch (e.type) {
    case 'DeviceGroupCreated':
      return { ...initialState(), exists: true, name: e.data.name, description: e.data.description, quarantine: e.data.quarantine, createdAt: e.data.createdAt };
    case 'DeviceGroupQuarantineChanged':
      return { ...s, quarantine: e.data.quarantine };
    case 'DeviceGroupMemberAdded':
      return { ...s, members: s.members.add(e.data.udid) };
    case 'DeviceGroupMemberRemoved':
      return { ...s, members: s.members.delete(e.data.udid) };
    case 'DeviceGroupProfileAssigned':
      return { ...s, profiles: [...s.profiles, e.data.profile] };
    case 'DeviceGroupProfileUnassigned':
      return { ...s, profiles: s.profiles.filter((p) => p.sha256 !== e.data.sha256) };
    case 'DeviceGroupAppAssigned':
      return { ...s, apps: [...s.apps, e.data.app] };
    case 'DeviceGroupAppUnassigned':
      return { ...s, apps: s.apps.filter((a) => a.bundleIdentifier !== e.data.bundleIdentifier) };
    case 'DeviceGroupDeleted':
      return initialState();
  }
}

export const deviceGroupDecider: Decider<DeviceGroupCommand, DeviceGroupEvent, DeviceGroupState> = { initialState, decide, evolve };
