import type { DeviceGroups } from '../../../application/device-groups/device-groups.js';
import { assignedProfileOf, type ProfileLibrary } from '../../../application/profile-library/profile-library.js';
import { GROUP_NAME, isGroupName } from '../../../domain/device-group/group-names.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import type { ApiCall, ApiOperation, ApiReply } from './api-operation.js';
import { expectedRevisionOf } from './preconditions.js';

export interface GroupDeps {
  readonly groups: DeviceGroups;
  readonly profiles: ProfileLibrary;
}

const NAME_SCHEMA = { type: 'string', pattern: GROUP_NAME.source } as const;
const MEMBER_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9-]{8,64}$' } as const;
const SHA256_SCHEMA = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const GROUP = { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' }, quarantine: { type: 'boolean' }, createdAt: { type: 'string' }, members: { type: 'array', items: { type: 'string' } }, profiles: { type: 'array' }, apps: { type: 'array' } } } as const;

const CREATE_SCHEMA = {
  type: 'object',
  properties: {
    name: NAME_SCHEMA,
    description: { type: 'string', maxLength: 512 },
    quarantine: { type: 'boolean', description: 'New devices enrolling into the group wait for approval' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

const CHANGE_SCHEMA = {
  type: 'object',
  properties: { quarantine: { type: 'boolean' } },
  required: ['quarantine'],
  additionalProperties: false,
} as const;

const ASSIGN_PROFILE_SCHEMA = {
  type: 'object',
  properties: { profile: { type: 'string', pattern: '^[0-9a-f]{6,64}$', description: 'SHA-256 of a library profile, or a unique prefix of it' } },
  required: ['profile'],
  additionalProperties: false,
} as const;

const nameOf = (call: ApiCall): string => {
  const name = call.params['name']!;
  if (!isGroupName(name)) throw new DomainError('unknown-group', `no group ${name}`);
  return name;
};

async function current(deps: GroupDeps, name: string, status = 200): Promise<ApiReply> {
  const found = await deps.groups.versioned(name);
  if (!found) throw new DomainError('unknown-group', `no group ${name}`);
  return { status, body: found.view, revision: found.revision };
}

const revisionOption = (call: ApiCall) => {
  const expectedRevision = expectedRevisionOf(call.ifMatch);
  return expectedRevision !== undefined ? { expectedRevision } : {};
};

export function groupOperations(deps: GroupDeps): ApiOperation[] {
  const path = '/api/v1/groups/:name';
  return [
    {
      method: 'get', path: '/api/v1/groups', operationId: 'listGroups', roles: ['operator', 'auditor'],
      summary: 'Every device group, by name, with members and assignments.',
      responses: { '200': { description: 'Groups', schema: { type: 'object', properties: { groups: { type: 'array', items: GROUP } }, required: ['groups'] } } },
      handle: async () => ({ status: 200, body: { groups: await deps.groups.list() } }),
    },
    {
      method: 'post', path: '/api/v1/groups', operationId: 'createGroup', roles: ['operator'], body: CREATE_SCHEMA, idempotent: true,
      summary: 'Create a device group.',
      responses: { '201': { description: 'Created; ETag is its revision', schema: GROUP }, '200': { description: 'It existed already with this very content', schema: GROUP }, '409': 'A group of that name exists with other settings', '422': 'The name or description is not acceptable' },
      handle: async (call) => {
        const body = call.body as { name: string; description?: string; quarantine?: boolean };
        const created = await deps.groups.create(body.name, { ...(body.description !== undefined ? { description: body.description } : {}), ...(body.quarantine !== undefined ? { quarantine: body.quarantine } : {}), commandId: call.commandId('create-group') }, call.actor);
        // A create repeated with the same content changes nothing: 200, the group as it is.
        return { ...(await current(deps, body.name, created ? 201 : 200)), headers: { Location: `/api/v1/groups/${body.name}` } };
      },
    },
    {
      method: 'get', path, operationId: 'getGroup', roles: ['operator', 'auditor'], params: { name: NAME_SCHEMA },
      summary: 'One device group; its ETag is the revision to send in If-Match.',
      responses: { '200': { description: 'The group', schema: GROUP }, '404': 'No such group' },
      handle: async (call) => current(deps, nameOf(call)),
    },
    {
      method: 'patch', path, operationId: 'changeGroup', roles: ['operator'], params: { name: NAME_SCHEMA }, body: CHANGE_SCHEMA, ifMatch: 'required',
      summary: 'Change whether new devices enrolling into the group wait for approval.',
      responses: { '200': { description: 'The group after the change', schema: GROUP }, '404': 'No such group' },
      handle: async (call) => {
        const name = nameOf(call);
        await deps.groups.setQuarantine(name, call.body['quarantine'] as boolean, call.actor, revisionOption(call));
        return current(deps, name);
      },
    },
    {
      method: 'delete', path, operationId: 'deleteGroup', roles: ['operator'], params: { name: NAME_SCHEMA }, ifMatch: 'required',
      summary: 'Delete an empty device group.',
      responses: { '204': 'Deleted', '404': 'No such group', '409': 'The group still has members' },
      handle: async (call) => {
        await deps.groups.delete(nameOf(call), call.actor, revisionOption(call));
        return { status: 204 };
      },
    },
    {
      method: 'put', path: `${path}/devices/:udid`, operationId: 'addGroupMember', roles: ['operator'], params: { name: NAME_SCHEMA, udid: MEMBER_SCHEMA }, ifMatch: 'optional',
      summary: 'Add a device (by UDID, enrolled or not yet) to the group; its assigned profiles and apps follow.',
      responses: { '200': { description: 'The group after the change', schema: GROUP }, '404': 'No such group', '422': 'Not a UDID' },
      handle: async (call) => {
        const name = nameOf(call);
        await deps.groups.addDevice(name, call.params['udid']!, call.actor, revisionOption(call));
        return current(deps, name);
      },
    },
    {
      method: 'delete', path: `${path}/devices/:udid`, operationId: 'removeGroupMember', roles: ['operator'], params: { name: NAME_SCHEMA, udid: MEMBER_SCHEMA }, ifMatch: 'optional',
      summary: 'Remove a device from the group.',
      responses: { '200': { description: 'The group after the change', schema: GROUP }, '404': 'No such group', '409': 'Not a member' },
      handle: async (call) => {
        const name = nameOf(call);
        await deps.groups.removeDevice(name, call.params['udid']!, call.actor, revisionOption(call));
        return current(deps, name);
      },
    },
    {
      method: 'post', path: `${path}/profiles`, operationId: 'assignGroupProfile', roles: ['operator'], params: { name: NAME_SCHEMA }, body: ASSIGN_PROFILE_SCHEMA, ifMatch: 'optional', idempotent: true,
      summary: 'Assign a library profile to the group: members get it installed.',
      responses: { '200': { description: 'The group after the change', schema: GROUP }, '404': 'No such group or profile', '409': 'Assigned already, or another profile with its identifier is', '422': 'The reference matches several profiles' },
      handle: async (call) => {
        const name = nameOf(call);
        const profile = await deps.profiles.resolve(call.body['profile'] as string);
        await deps.groups.assignProfile(name, assignedProfileOf(profile), call.actor, revisionOption(call));
        return current(deps, name);
      },
    },
    {
      method: 'delete', path: `${path}/profiles/:sha256`, operationId: 'unassignGroupProfile', roles: ['operator'], params: { name: NAME_SCHEMA, sha256: SHA256_SCHEMA }, ifMatch: 'optional',
      summary: 'Unassign a profile from the group: members have it removed.',
      responses: { '200': { description: 'The group after the change', schema: GROUP }, '404': 'No such group', '409': 'Not assigned' },
      handle: async (call) => {
        const name = nameOf(call);
        await deps.groups.unassignProfile(name, call.params['sha256']!, call.actor, revisionOption(call));
        return current(deps, name);
      },
    },
  ];
}
