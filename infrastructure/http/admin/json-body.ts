import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import express, { type RequestHandler } from 'express';
import { sendProblem } from '../problem.js';

/**
 * Request bodies of the admin API: JSON only, bounded, parsed strictly, then checked against the
 * operation's JSON Schema (the same schema the OpenAPI document shows). Unknown members are refused
 * by the schemas themselves (`additionalProperties: false`), so a misspelt option is a 400, never a
 * silently ignored one.
 */

/** Largest JSON body; a profile upload has its own limit. */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

export type JsonSchema = Readonly<Record<string, unknown>>;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Compiles a schema now, so a schema the library refuses fails at start-up, not at the first request. */
export const compileSchema = (schema: JsonSchema): void => {
  validatorFor(schema);
};

export interface BodyViolation {
  /** JSON Pointer (RFC 6901) to the offending member; '' for the body itself. */
  readonly pointer: string;
  readonly detail: string;
}

/** At most this many violations are listed: enough to fix a request, not a flood. */
const MAX_VIOLATIONS = 20;

export function violationsOf(errors: readonly ErrorObject[] | null | undefined): BodyViolation[] {
  return (errors ?? []).slice(0, MAX_VIOLATIONS).map((e) => {
    if (e.keyword === 'additionalProperties') {
      const member = String((e.params as { additionalProperty: string }).additionalProperty);
      return { pointer: `${e.instancePath}/${member.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: 'is not a known member' };
    }
    if (e.keyword === 'required') return { pointer: `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`, detail: 'is required' };
    return { pointer: e.instancePath, detail: e.message ?? 'is not valid' };
  });
}

const parseJson = express.json({ limit: MAX_JSON_BODY_BYTES, strict: false, type: () => true });

/**
 * Parses and validates the body; the valid body is in `res.locals.body`. A body is required unless
 * `optional`, in which case an empty body stands for `{}`.
 */
export function jsonBody(schema: JsonSchema, options: { optional?: boolean } = {}): RequestHandler {
  const validate = validatorFor(schema);
  return (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? '0');
    const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      if (!options.optional) return sendProblem(res, { status: 400, type: 'urn:mdm:problem:invalid-body', detail: 'a JSON body is required' });
      res.locals['body'] = {};
      return next();
    }
    if (!req.is('application/json') && !req.is('application/*+json')) {
      return sendProblem(res, { status: 415, type: 'urn:mdm:problem:unsupported-media-type', detail: 'the body must be application/json' });
    }
    parseJson(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status;
        if (status === 413) return sendProblem(res, { status: 413, type: 'urn:mdm:problem:body-too-large', detail: `the body may be at most ${MAX_JSON_BODY_BYTES} bytes` });
        if (status !== undefined && status >= 400 && status < 500) return sendProblem(res, { status: 400, type: 'urn:mdm:problem:malformed-json', detail: 'the body is not well-formed JSON' });
        return next(error);
      }
      const body: unknown = req.body;
      if (!validate(body)) {
        return sendProblem(res, { status: 400, type: 'urn:mdm:problem:invalid-body', detail: 'the body does not match the operation\'s schema', errors: violationsOf(validate.errors) });
      }
      res.locals['body'] = body;
      next();
    });
  };
}

/** The body `jsonBody` validated. */
export const bodyOf = <T>(res: { locals: Record<string, unknown> }): T => res.locals['body'] as T;
