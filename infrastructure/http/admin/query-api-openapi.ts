import {
  AUDIT_PARAMS, COMMAND_HISTORY_PARAMS, COMPLIANCE_DEVICES_PARAMS, COMPLIANCE_SUMMARY_PARAMS, DEVICE_LIST_PARAMS, DEVICE_PARAMS,
  EVENT_EXPORT_PARAMS, INVENTORY_FIELD_PARAMS, PROJECTIONS_PARAMS,
} from './query-api-params.js';
import { openApiParameters, type Schema } from './query-schema.js';

/** The read API's paths in the admin OpenAPI document, built from the schemas the routes parse with. */

const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const json = (description: string, schema: Record<string, unknown> = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });

const page = (items: string) => ({
  type: 'object',
  properties: { [items]: { type: 'array', items: { type: 'object' } }, nextCursor: { type: 'string' }, stale: { const: true } },
  required: [items],
});

const UDID_PARAM = { name: 'udid', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9-]{1,128}$' } };

function read(operationId: string, summary: string, roles: string, params: Schema, ok: Record<string, unknown>, options: { path?: boolean; notFound?: boolean } = {}) {
  return {
    get: {
      operationId,
      summary: `${summary} Roles: ${roles} (and admin).`,
      security: [{ bearer: [] }],
      parameters: [...(options.path ? [UDID_PARAM] : []), ...openApiParameters(params)],
      responses: {
        '200': ok,
        '400': problem,
        '401': problem,
        '403': problem,
        ...(options.notFound ? { '404': problem } : {}),
        '503': problem,
      },
    },
  };
}

export const queryApiPaths = {
  '/api/v1/devices': read(
    'listDevices',
    'Devices from the inventory read model. Besides the listed parameters, any documented inventory field filters by equality (supervised=true, enrollmentState=enrolled). Unknown parameters are refused.',
    'operator, auditor',
    { ...DEVICE_LIST_PARAMS, ...INVENTORY_FIELD_PARAMS },
    json('A page of devices', page('devices')),
  ),
  '/api/v1/devices/{udid}': read('getDevice', 'One device\'s inventory document.', 'operator, auditor', DEVICE_PARAMS, json('The device'), { path: true, notFound: true }),
  '/api/v1/devices/{udid}/commands': read('listDeviceCommands', 'Commands sent to a device and what became of them, newest first.', 'operator, auditor', COMMAND_HISTORY_PARAMS, json('A page of commands', page('commands')), { path: true }),
  '/api/v1/devices/{udid}/compliance': read('getDeviceCompliance', 'A device\'s compliance, evaluated now against the policies in force.', 'operator, auditor', DEVICE_PARAMS, json('The evaluation'), { path: true, notFound: true }),
  '/api/v1/compliance': read('complianceSummary', 'Device counts per compliance state, overall and per policy.', 'operator, auditor', COMPLIANCE_SUMMARY_PARAMS, json('The summary')),
  '/api/v1/compliance/devices': read('listDeviceCompliance', 'Devices with their compliance, by UDID.', 'operator, auditor', COMPLIANCE_DEVICES_PARAMS, json('A page of devices', page('devices'))),
  '/api/v1/audit': read('listAudit', 'Audit history entries, newest first unless order=asc.', 'auditor', AUDIT_PARAMS, json('A page of entries', page('entries'))),
  '/api/v1/events': read('exportEvents', 'Events as stored, in position order, one JSON object per line (sealed values stay sealed).', 'auditor', EVENT_EXPORT_PARAMS, {
    description: 'The events, newline-delimited JSON',
    content: { 'application/x-ndjson': { schema: { type: 'object', properties: { position: { type: 'integer' }, streamId: { type: 'string' }, revision: { type: 'integer' }, eventId: { type: 'string' }, type: { type: 'string' }, data: {}, metadata: { type: 'object' }, recordedAt: { type: 'string' } } } } },
  }),
  '/api/v1/projections': read('listProjections', 'Each projection\'s state, position and lag.', 'operator, auditor', PROJECTIONS_PARAMS, json('The projections', { type: 'object', properties: { projections: { type: 'array', items: { type: 'object' } } }, required: ['projections'] })),
};
