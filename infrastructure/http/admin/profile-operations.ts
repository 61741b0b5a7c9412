import { createHash } from 'node:crypto';
import express from 'express';
import type { ProfileLibrary } from '../../../application/profile-library/profile-library.js';
import { MAX_PROFILE_BYTES } from '../../../domain/profile-library/library-profile.js';
import { sendProblem } from '../problem.js';
import type { ApiOperation } from './api-operation.js';

const MEDIA_TYPES = ['application/x-apple-aspen-config', 'application/octet-stream'] as const;
const REFERENCE = { type: 'string', pattern: '^[0-9a-f]{6,64}$' } as const;
const PROFILE = { type: 'object', properties: { sha256: { type: 'string' }, payloadIdentifier: { type: 'string' }, displayName: { type: 'string' }, size: { type: 'integer' }, signed: { type: 'boolean' }, uploadedAt: { type: 'string' } } } as const;

const parseRaw = express.raw({ type: [...MEDIA_TYPES], limit: MAX_PROFILE_BYTES });

/** The raw upload: bytes in `res.locals.profileBytes`, their hash as the body (what Idempotency-Key compares). */
const rawProfile: express.RequestHandler = (req, res, next) => {
  if (!MEDIA_TYPES.some((t) => req.is(t))) return sendProblem(res, { status: 415, type: 'urn:mdm:problem:unsupported-media-type', detail: `upload the .mobileconfig as ${MEDIA_TYPES.join(' or ')}` });
  parseRaw(req, res, (error?: unknown) => {
    if (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) return sendProblem(res, { status: 413, type: 'urn:mdm:problem:body-too-large', detail: `a profile may be at most ${MAX_PROFILE_BYTES} bytes` });
      return next(error);
    }
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.locals['profileBytes'] = bytes;
    res.locals['body'] = { sha256: createHash('sha256').update(bytes).digest('hex') };
    next();
  });
};

export function profileOperations(deps: { profiles: ProfileLibrary }): ApiOperation[] {
  return [
    {
      method: 'get', path: '/api/v1/profiles', operationId: 'listProfiles', roles: ['operator', 'auditor'],
      summary: 'The profile library, newest first.',
      responses: { '200': { description: 'Profiles', schema: { type: 'object', properties: { profiles: { type: 'array', items: PROFILE } }, required: ['profiles'] } } },
      handle: async () => ({ status: 200, body: { profiles: await deps.profiles.list() } }),
    },
    {
      method: 'post', path: '/api/v1/profiles', operationId: 'uploadProfile', roles: ['operator'], idempotent: true,
      rawBody: { mediaTypes: MEDIA_TYPES, handler: rawProfile },
      summary: 'Upload a configuration profile (.mobileconfig, signed or not) to the library; it is stored once by content. Assign it to groups with POST /api/v1/groups/{name}/profiles.',
      responses: { '201': { description: 'Added to the library', schema: PROFILE }, '200': { description: 'These very bytes were in the library already', schema: PROFILE }, '413': 'Too large', '415': 'Not a profile media type', '422': 'Not a valid configuration profile' },
      handle: async (call) => {
        const { profile, created } = await deps.profiles.upload(call.res.locals['profileBytes'] as Buffer, call.actor);
        return { status: created ? 201 : 200, body: profile, headers: { Location: `/api/v1/profiles/${profile.sha256}` } };
      },
    },
    {
      method: 'get', path: '/api/v1/profiles/:reference', operationId: 'getProfile', roles: ['operator', 'auditor'], params: { reference: REFERENCE },
      summary: 'One library profile by SHA-256 (or an unambiguous prefix of 6 or more hex digits), with the groups assigning it.',
      responses: { '200': { description: 'The profile', schema: PROFILE }, '404': 'No such profile', '422': 'The prefix names several profiles' },
      handle: async (call) => {
        const profile = await deps.profiles.resolve(call.params['reference']!);
        return { status: 200, body: { ...profile, assignedTo: await deps.profiles.assignedTo(profile.sha256) } };
      },
    },
    {
      method: 'delete', path: '/api/v1/profiles/:reference', operationId: 'removeProfile', roles: ['operator'], params: { reference: REFERENCE },
      summary: 'Remove a profile from the library; refused while a group assigns it.',
      responses: { '204': 'Removed', '404': 'No such profile', '409': 'A group assigns it' },
      handle: async (call) => {
        await deps.profiles.remove(call.params['reference']!, call.actor);
        return { status: 204 };
      },
    },
  ];
}
