import { deviceStateAt } from '../../../application/audit/device-state-at.js';
import type { EventStore } from '../../../application/ports/event-store.js';
import type { Quarantine } from '../../../application/enrollment/quarantine.js';
import type { CommandQueueService } from '../../../application/mdm/command-queue-service.js';
import type { SelfService } from '../../../application/self-service/self-service.js';
import { REQUEST_TYPES } from '../../../domain/commands/index.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../../domain/device/queue/queued-command.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import type { ApiCall, ApiOperation, ApiReply } from './api-operation.js';

export interface DeviceCommandDeps {
  readonly commandQueue: CommandQueueService;
  readonly selfService: SelfService;
  readonly quarantine: Quarantine;
  readonly events: EventStore;
}

export const UDID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9-]{1,128}$' } as const;
const UUID_SCHEMA = { type: 'string', pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' } as const;
const UDID = new RegExp(UDID_SCHEMA.pattern);
const UUID = new RegExp(UUID_SCHEMA.pattern);

/**
 * An MDM command as the API takes it: `requestType` plus Apple's own parameter names. Secrets come
 * in clear (a PIN, a passcode) and are sealed before anything is recorded; large payloads come as
 * base64. The server validates every parameter of every type (a 422 names what is wrong).
 */
export const COMMAND_REQUEST_SCHEMA = {
  type: 'object',
  properties: { requestType: { enum: [...REQUEST_TYPES] } },
  required: ['requestType'],
  description: 'requestType and the command\'s parameters under Apple\'s names (e.g. {"requestType":"DeviceLock","Message":"Call IT"}).',
} as const;

/** How the queue treats a command; each defaults to the request type's own. */
export const QUEUE_OPTIONS_SCHEMA = {
  priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY, description: 'Higher is sent first' },
  ttlSeconds: { type: 'integer', minimum: 60, maximum: 90 * 86_400, description: 'Expires unsent after this long' },
} as const;

const ENQUEUE_SCHEMA = {
  type: 'object',
  properties: {
    request: COMMAND_REQUEST_SCHEMA,
    commandUuid: { ...UUID_SCHEMA, description: 'Chosen by the caller to make the request repeatable; one is made otherwise' },
    ...QUEUE_OPTIONS_SCHEMA,
  },
  required: ['request'],
  additionalProperties: false,
} as const;

const REASON_SCHEMA = {
  type: 'object',
  properties: { reason: { type: 'string', minLength: 1, maxLength: 512 } },
  additionalProperties: false,
} as const;

const ENQUEUED = {
  type: 'object',
  properties: {
    udid: { type: 'string' },
    commandUuid: { type: 'string' },
    outcome: { enum: ['queued', 'already-queued'] },
  },
  required: ['udid', 'commandUuid', 'outcome'],
} as const;

const udidOf = (call: ApiCall): string => {
  const udid = call.params['udid']!;
  if (!UDID.test(udid)) throw new DomainError('unknown-device', `no device ${udid}`);
  return udid;
};

/** A user may only touch their own devices; to them, anyone else's does not exist. */
async function requireOwnDevice(deps: DeviceCommandDeps, call: ApiCall, udid: string): Promise<void> {
  if (call.principal.role !== 'user') return;
  if (!(await deps.selfService.owns(call.principal.username ?? '', udid))) throw new DomainError('unknown-device', `no device ${udid}`);
}

export function deviceCommandOperations(deps: DeviceCommandDeps): ApiOperation[] {
  return [
    {
      method: 'post',
      path: '/api/v1/devices/:udid/commands',
      operationId: 'enqueueCommand',
      summary: 'Queue an MDM command on one device and wake it with a push. Users may send only the commands the self-service policy allows to their own devices, at a limited rate.',
      roles: ['operator', 'user'],
      params: { udid: UDID_SCHEMA },
      body: ENQUEUE_SCHEMA,
      idempotent: true,
      responses: {
        '202': { description: 'Queued (or already queued under this CommandUUID)', schema: ENQUEUED },
        '404': 'No such device',
        '409': 'The device cannot take the command now (not enrolled, no unlock token, unenrolling)',
        '422': 'The command is not valid',
        '429': 'A user sent too many commands lately',
      },
      handle: async (call): Promise<ApiReply> => {
        const udid = udidOf(call);
        const body = call.body as { request: Record<string, unknown>; commandUuid?: string; priority?: number; ttlSeconds?: number };
        const commandUuid = body.commandUuid ?? call.commandId('enqueue');
        const correlationId = call.commandId('correlation');
        if (call.principal.role === 'user') {
          if (body.priority !== undefined || body.ttlSeconds !== undefined) throw new DomainError('self-service-not-allowed', 'users may not set priority or ttlSeconds');
          const outcome = await deps.selfService.enqueue(call.principal.username ?? '', udid, body.request, { commandUuid, actor: call.actor, correlationId });
          return enqueued(udid, commandUuid, outcome);
        }
        const [outcome] = await deps.commandQueue.enqueue([udid], body.request, {
          commandUuid, actor: call.actor, correlationId,
          ...(body.priority !== undefined ? { priority: body.priority } : {}),
          ...(body.ttlSeconds !== undefined ? { ttlMs: body.ttlSeconds * 1000 } : {}),
        });
        return enqueued(udid, commandUuid, outcome!);
      },
    },
    {
      method: 'get',
      path: '/api/v1/devices/:udid/queue',
      operationId: 'deviceQueue',
      summary: 'The device\'s live command queue from its own stream (waiting, delivered and deferred commands in delivery order); never stale.',
      roles: ['operator', 'auditor', 'user'],
      params: { udid: UDID_SCHEMA },
      responses: { '200': { description: 'The queue', schema: { type: 'object', properties: { commands: { type: 'array', items: { type: 'object' } } }, required: ['commands'] } }, '404': 'No such device' },
      handle: async (call) => {
        const udid = udidOf(call);
        await requireOwnDevice(deps, call, udid);
        const queue = await deps.commandQueue.queue(udid);
        return {
          status: 200,
          // The request is left out: its parameters may hold sealed secrets and large payload references.
          body: { udid, commands: queue.map((c) => ({ commandUuid: c.commandUuid, requestType: c.request.requestType, priority: c.priority, status: c.status, queuedAt: c.queuedAt, expiresAt: c.expiresAt, deliveries: c.deliveries, deferrals: c.deferrals })) },
        };
      },
    },
    {
      method: 'delete',
      path: '/api/v1/devices/:udid/commands/:commandUuid',
      operationId: 'cancelCommand',
      summary: 'Cancel a command that has not finished. One already handed to the device is not sent again; whether the device ran it is not known.',
      roles: ['operator'],
      params: { udid: UDID_SCHEMA, commandUuid: UUID_SCHEMA },
      responses: { '204': 'Cancelled (or cancelled before)', '404': 'No such device or command', '409': 'The command has already finished' },
      handle: async (call) => {
        const udid = udidOf(call);
        const commandUuid = call.params['commandUuid']!;
        if (!UUID.test(commandUuid)) throw new DomainError('unknown-command', `no command ${commandUuid}`);
        await deps.commandQueue.cancel(udid, commandUuid, call.actor);
        return { status: 204 };
      },
    },
    {
      method: 'post',
      path: '/api/v1/devices/:udid/unenroll',
      operationId: 'unenrollDevice',
      summary: 'Tell the device at its next request that it is no longer managed (Apple\'s clients then remove their enrollment); pending commands are cancelled.',
      roles: ['operator'],
      params: { udid: UDID_SCHEMA },
      body: REASON_SCHEMA,
      bodyOptional: true,
      idempotent: true,
      responses: { '202': 'Unenrollment requested', '404': 'No such device', '409': 'The device is not enrolled' },
      handle: async (call) => {
        const udid = udidOf(call);
        await deps.commandQueue.unenroll(udid, (call.body['reason'] as string | undefined) ?? 'unenrolled by an administrator', call.actor);
        return { status: 202, body: { udid, outcome: 'unenrollment-requested' } };
      },
    },
    ...(['approve', 'reject'] as const).map((decision): ApiOperation => ({
      method: 'post',
      path: `/api/v1/quarantine/:target/${decision}`,
      operationId: decision === 'approve' ? 'approveQuarantine' : 'rejectQuarantine',
      summary: decision === 'approve'
        ? 'Approve a quarantined enrollment (by enrollment id or UDID): the device is released and gets its commands.'
        : 'Reject a quarantined enrollment (by enrollment id or UDID): the device is asked to unenroll and its certificates are revoked.',
      roles: ['operator'],
      params: { target: { type: 'string', minLength: 1, maxLength: 128 } },
      body: REASON_SCHEMA,
      bodyOptional: true,
      idempotent: true,
      responses: {
        '200': { description: 'Decided (changed: false when it had been decided the same way before)', schema: { type: 'object', properties: { udid: { type: 'string' }, enrollmentId: { type: 'string' }, certificateSha256: { type: 'string' }, changed: { type: 'boolean' } } } },
        '404': 'No such enrollment or device',
        '409': 'Not quarantined, or decided the other way before',
      },
      handle: async (call) => {
        const target = call.params['target']!;
        const reason = call.body['reason'] as string | undefined;
        const outcome = decision === 'approve' ? await deps.quarantine.approve(target, call.actor) : await deps.quarantine.reject(target, call.actor, reason);
        return { status: 200, body: outcome };
      },
    })),
    {
      method: 'get',
      path: '/api/v1/devices/:udid/state',
      operationId: 'deviceStateAt',
      summary: 'The device as it stood at a time, folded from its own events (secrets, the push token and PushMagic left out). Query: at=<ISO-8601 time>.',
      roles: ['auditor'],
      params: { udid: UDID_SCHEMA },
      responses: { '200': { description: 'The state then, with the revision folded up to', schema: { type: 'object' } }, '400': 'at is missing or not a time', '404': 'The device had no events by then' },
      handle: async (call) => {
        const udid = udidOf(call);
        const keys = Object.keys(call.req.query);
        const at = call.req.query['at'];
        if (keys.some((k) => k !== 'at') || typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !/^\d{4}-\d{2}-\d{2}T/.test(at)) {
          throw Object.assign(new Error('give at=<ISO-8601 time> and nothing else'), { status: 400 });
        }
        const state = await deviceStateAt(deps.events, udid, new Date(at));
        if (!state) throw new DomainError('unknown-device', `device ${udid} had no events by ${at}`);
        return { status: 200, body: { udid, ...state } };
      },
    },
  ];
}

function enqueued(udid: string, commandUuid: string, outcome: { outcome: string; code?: string; detail?: string }): ApiReply {
  if (outcome.outcome === 'refused') throw new DomainError(outcome.code ?? 'refused', outcome.detail ?? 'the device cannot take this command');
  return { status: 202, body: { udid, commandUuid, outcome: outcome.outcome } };
}
