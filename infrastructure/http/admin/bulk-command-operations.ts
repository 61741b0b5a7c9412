import type { BulkCommands } from '../../../application/commands/bulk-commands.js';
import type { DeviceGroups } from '../../../application/device-groups/device-groups.js';
import type { Filter } from '../../../application/ports/document-store.js';
import type { InventoryQueries } from '../../../application/read-models/inventory-queries.js';
import { MAX_BULK_DEVICES, type BulkTarget } from '../../../domain/bulk-command/bulk-command.js';
import { GROUP_NAME } from '../../../domain/device-group/group-names.js';
import type { JsonObject } from '../../../domain/shared/json.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import type { ApiOperation } from './api-operation.js';
import { COMMAND_REQUEST_SCHEMA, QUEUE_OPTIONS_SCHEMA, UDID_SCHEMA } from './device-command-operations.js';

export interface BulkCommandDeps {
  readonly bulk: BulkCommands;
  readonly groups: DeviceGroups;
  readonly inventory: InventoryQueries;
}

const BULK_ID = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
const SCALAR = { type: ['string', 'number', 'boolean'] } as const;

/** Which devices: a list, a group's members, or an inventory selection (the filters of GET /api/v1/devices). */
const TARGET_SCHEMA = {
  type: 'object',
  properties: {
    udids: { type: 'array', items: UDID_SCHEMA, minItems: 1, maxItems: MAX_BULK_DEVICES },
    group: { type: 'string', pattern: GROUP_NAME.source },
    selection: {
      type: 'object',
      properties: {
        filter: { type: 'object', additionalProperties: SCALAR, maxProperties: 20, description: 'Inventory field → value it must equal (model, osVersion, supervised, user, ...)' },
        group: { type: 'string', pattern: GROUP_NAME.source },
        seenWithinDays: { type: 'number', minimum: 0, maximum: 36_500 },
        notSeenForDays: { type: 'number', minimum: 0, maximum: 36_500 },
        certificateExpiringWithinDays: { type: 'number', minimum: 0, maximum: 36_500 },
        minimumOsVersion: { type: 'string', pattern: '^\\d+(\\.\\d+){0,3}$' },
      },
      additionalProperties: false,
      minProperties: 1,
    },
  },
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
} as const;

const BULK_SCHEMA = {
  type: 'object',
  properties: { target: TARGET_SCHEMA, request: COMMAND_REQUEST_SCHEMA, ...QUEUE_OPTIONS_SCHEMA },
  required: ['target', 'request'],
  additionalProperties: false,
} as const;

const VIEW = {
  type: 'object',
  properties: {
    bulkId: { type: 'string' }, status: { enum: ['listing', 'fanning-out', 'completed'] }, requestType: { type: 'string' }, total: { type: 'integer' },
    through: { type: 'integer' }, queued: { type: 'integer' }, alreadyQueued: { type: 'integer' }, refused: { type: 'array', items: { type: 'object' } },
  },
} as const;

type Selection = { filter?: Record<string, string | number | boolean>; group?: string; seenWithinDays?: number; notSeenForDays?: number; certificateExpiringWithinDays?: number; minimumOsVersion?: string };
type Target = { udids?: string[]; group?: string; selection?: Selection };

const PAGE = 1_000;

/** The devices a target names, in a stable order, at most MAX_BULK_DEVICES (more is refused, not cut). */
async function resolve(deps: BulkCommandDeps, target: Target): Promise<{ target: BulkTarget; udids: string[] }> {
  if (target.udids) return { target: { kind: 'devices' }, udids: target.udids };
  if (target.group !== undefined) {
    const group = await deps.groups.get(target.group);
    if (!group) throw new DomainError('unknown-group', `no group ${target.group}`);
    return { target: { kind: 'group', group: target.group }, udids: [...group.members] };
  }
  const selection = target.selection!;
  const udids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.inventory.list({
      ...(selection.filter ? { filter: selection.filter as Filter } : {}),
      ...(selection.group !== undefined ? { group: selection.group } : {}),
      ...(selection.seenWithinDays !== undefined ? { seenWithinDays: selection.seenWithinDays } : {}),
      ...(selection.notSeenForDays !== undefined ? { notSeenForDays: selection.notSeenForDays } : {}),
      ...(selection.certificateExpiringWithinDays !== undefined ? { certificateExpiringWithinDays: selection.certificateExpiringWithinDays } : {}),
      ...(selection.minimumOsVersion !== undefined ? { minimumOsVersion: selection.minimumOsVersion } : {}),
      fields: ['udid'], limit: PAGE, ...(cursor ? { cursor } : {}),
    });
    for (const d of page.devices) udids.push(String(d['udid']));
    if (udids.length > MAX_BULK_DEVICES) throw new DomainError('bulk-too-large', `the selection holds more than ${MAX_BULK_DEVICES} devices; narrow it`);
    cursor = page.nextCursor;
  } while (cursor);
  return { target: { kind: 'selection', filter: selection as JsonObject }, udids };
}

export function bulkCommandOperations(deps: BulkCommandDeps): ApiOperation[] {
  return [
    {
      method: 'post', path: '/api/v1/commands', operationId: 'enqueueBulkCommand', roles: ['operator'], body: BULK_SCHEMA, idempotent: true,
      summary: 'Queue one MDM command on many devices: a list, a group\'s members or an inventory selection (resolved now, at most 50,000). One request is recorded and answered at once; it then fans out to the devices in the background, each with its own CommandUUID derived from the bulk id, so a crash part-way neither loses nor repeats a command. Follow it at GET /api/v1/commands/{bulkId}.',
      responses: {
        '202': { description: 'Recorded; fanning out', schema: VIEW },
        '404': 'No such group',
        '409': 'The same bulk id with another request',
        '422': 'The command is not valid, or no devices were selected',
      },
      handle: async (call) => {
        const body = call.body as { target: Target; request: Record<string, unknown>; priority?: number; ttlSeconds?: number };
        const { target, udids } = await resolve(deps, body.target);
        const view = await deps.bulk.request({
          bulkId: call.commandId('bulk'), target, udids, input: body.request, actor: call.actor, correlationId: call.commandId('correlation'),
          ...(body.priority !== undefined ? { priority: body.priority } : {}),
          ...(body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {}),
        });
        return { status: 202, body: view, headers: { Location: `/api/v1/commands/${view.bulkId}` } };
      },
    },
    {
      method: 'get', path: '/api/v1/commands', operationId: 'listBulkCommands', roles: ['operator', 'auditor'],
      summary: 'Recent bulk commands, newest first (?limit=1..1000, default 50).',
      responses: { '200': { description: 'Bulk commands', schema: { type: 'object', properties: { commands: { type: 'array', items: VIEW } }, required: ['commands'] } }, '400': 'limit is not 1 to 1000' },
      handle: async (call) => {
        const keys = Object.keys(call.req.query);
        const raw = call.req.query['limit'];
        const limit = raw === undefined ? 50 : typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
        if (keys.some((k) => k !== 'limit') || !(limit >= 1 && limit <= 1000)) throw Object.assign(new Error('the only parameter is limit, 1 to 1000'), { status: 400 });
        return { status: 200, body: { commands: await deps.bulk.list({ limit }) } };
      },
    },
    {
      method: 'get', path: '/api/v1/commands/:bulkId', operationId: 'getBulkCommand', roles: ['operator', 'auditor'], params: { bulkId: BULK_ID },
      summary: 'A bulk command\'s progress: devices handled, queued, already queued, and each refused device with the reason.',
      responses: { '200': { description: 'The bulk command', schema: VIEW }, '404': 'No such bulk command' },
      handle: async (call) => {
        const bulkId = call.params['bulkId']!;
        const view = /^[0-9a-f-]{36}$/.test(bulkId) ? await deps.bulk.get(bulkId) : undefined;
        if (!view) throw new DomainError('unknown-bulk', `no bulk command ${bulkId}`);
        return { status: 200, body: view };
      },
    },
  ];
}
