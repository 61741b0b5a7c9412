import type { NextFunction, Response } from 'express';
import { InvalidQueryError } from '../../../application/ports/document-store.js';
import { ConcurrencyError } from '../../../application/ports/event-store.js';
import { DomainError } from '../../../domain/shared/domain-error.js';
import { sendProblem } from '../problem.js';
import { PreconditionRequiredError } from './preconditions.js';

/**
 * Application errors → problem details. A DomainError's code becomes the problem type
 * (`urn:mdm:problem:<code>`), so scripts match on it: unknown things are 404, refused content 422,
 * anything that conflicts with the current state 409. Anything else is the caller of `next`'s.
 */
/** Refusals of what was asked, not of the state it met: 422 like an invalid value. */
const UNPROCESSABLE = new Set(['ambiguous-reference', 'bulk-no-devices', 'bulk-too-large', 'clear-secret']);

export function answerError(res: Response, error: unknown, next?: NextFunction): void {
  if (error instanceof DomainError) {
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === 'number') {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      return sendProblem(res, { status: 429, type: `urn:mdm:problem:${error.code}`, detail: error.message });
    }
    const status = error.code.startsWith('unknown-') ? 404 : error.code.endsWith('-not-allowed') ? 403 : error.code.startsWith('invalid-') || UNPROCESSABLE.has(error.code) ? 422 : 409;
    return sendProblem(res, { status, type: `urn:mdm:problem:${error.code}`, detail: error.message });
  }
  if (error instanceof ConcurrencyError) {
    // Without If-Match this is contention that outlasted the retries: worth trying again as it is.
    if (res.req.headers['if-match'] === undefined) return sendProblem(res, { status: 409, type: 'urn:mdm:problem:write-conflict', detail: 'the resource was being changed by others; try again' });
    return sendProblem(res, { status: 412, type: 'urn:mdm:problem:precondition-failed', detail: 'the resource changed since the ETag given in If-Match; read it again', ...(typeof error.actual === 'number' ? { currentEtag: `"${error.actual}"` } : {}) });
  }
  if (error instanceof InvalidQueryError) return sendProblem(res, { status: 400, type: 'urn:mdm:problem:invalid-query', detail: error.message });
  if (error instanceof PreconditionRequiredError) return sendProblem(res, { status: 428, type: 'urn:mdm:problem:precondition-required', detail: error.message });
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return sendProblem(res, { status, detail: (error as Error).message });
  if (next) return next(error);
  sendProblem(res, { status: 500, detail: 'internal error; the server log has the details' });
}
