import type { RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a proxy or client may pass on: short, and nothing that could forge a log field or header. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export const isWellFormedRequestId = (value: unknown): value is string => typeof value === 'string' && WELL_FORMED.test(value);

/** The id `requestIds` gave this request; undefined outside an app built by createApp. */
export const requestIdOf = (res: Response): string | undefined => {
  const id: unknown = res.locals['requestId'];
  return typeof id === 'string' ? id : undefined;
};

/**
 * Gives every request an id, echoed in the X-Request-Id response header so a client's report can be
 * matched with the server's log lines. A well-formed incoming X-Request-Id (set by a proxy in front)
 * is kept, so one id follows the request through both; anything else is replaced by a random UUID.
 */
export function requestIds(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = isWellFormedRequestId(incoming) ? incoming : randomUUID();
    res.locals['requestId'] = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}
