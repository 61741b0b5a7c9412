import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { Logger } from '../../application/ports/logger.js';
import { requestIdOf } from './request-id.js';
import { loggablePath } from './request-log.js';

/** RFC 9457 problem details. `type` names the problem kind; clients match on it, not on `title`. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}

/** The request's id goes in as the extension member `requestId`, to quote when reporting the problem. */
export function sendProblem(res: Response, problem: Problem): void {
  const requestId = requestIdOf(res);
  const body = { type: problem.type ?? 'about:blank', title: problem.title ?? STATUS_CODES[problem.status] ?? 'Error', ...problem, ...(requestId !== undefined ? { requestId } : {}) };
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, { status: 404, detail: `no route for ${req.method} ${loggablePath(req.path)}` });
};

/**
 * The last error handler of every JSON app. Client errors that body parsers raise (bad JSON, too
 * large) keep their status; anything else is a 500 whose details go to the log, not the client.
 */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      sendProblem(res, { status, detail: (error as Error).message });
      return;
    }
    logger.error('request failed', { requestId: requestIdOf(res), method: req.method, path: loggablePath(req.path), error });
    if (res.headersSent) return;
    sendProblem(res, { status: 500, detail: 'internal error; the server log has the details' });
  };
}
