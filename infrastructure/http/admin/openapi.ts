import { queryApiPaths } from './query-api-openapi.js';

/**
 * The admin listener's OpenAPI 3.1 document, served at /openapi.json. A test fails when a route is
 * missing from it or it names a route that does not exist.
 */
const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'MDM server admin API',
    version: '0.1.0',
    description: 'Operations endpoints and the admin API of the admin listener. Errors are RFC 9457 problem details.',
  },
  paths: {
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'Liveness: 200 while the process is up.',
        responses: { '200': { description: 'Up', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } } } } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'ready',
        summary: 'Readiness: 200 only when the event store answers; 503 with the reason otherwise or while shutting down.',
        responses: {
          '200': { description: 'Ready', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
          '503': problem,
        },
      },
    },
    '/readyz/projections': {
      get: {
        operationId: 'projectionsReady',
        summary: 'Read-model check, separate from /readyz: 200 when every projection runs and lags at most 30 s (or ?maxLagSeconds=N); 503 with each projection\'s state, position and lag otherwise.',
        parameters: [{ name: 'maxLagSeconds', in: 'query', required: false, schema: { type: 'number', minimum: 0, maximum: 86400 } }],
        responses: {
          '200': { description: 'Every projection running and caught up', content: { 'application/json': { schema: { type: 'object' } } } },
          '400': problem,
          '503': problem,
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4).',
        responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document.',
        responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    ...queryApiPaths,
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
    },
    schemas: {
      Problem: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
        },
        required: ['type', 'title', 'status'],
      },
      Readiness: {
        type: 'object',
        properties: {
          status: { const: 'ready' },
          checks: { type: 'object', additionalProperties: { type: 'string' } },
          details: { type: 'object', description: 'Informational (never affects readiness): push health and push certificate status.' },
        },
        required: ['status', 'checks'],
      },
    },
  },
} as const;
