import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { ApiPrincipal } from '../../../application/api-tokens/api-tokens.js';
import { canonicalJson } from '../../../application/audit/canonical-json.js';
import { uuidV5 } from '../../../application/deterministic-ids.js';
import type { IdempotencyRecords } from '../../../application/idempotency/idempotency-records.js';
import { sendProblem } from '../problem.js';
import { actorOf, type ApiOperation, type ApiReply } from './api-operation.js';
import { principalOf } from './api-auth.js';

/**
 * `Idempotency-Key` on POST: the first successful answer is recorded (sealed) and given again to
 * the same request under the same key; a different request under a used key is refused with 422,
 * and a repeat while the first is still running with 409. The writes a keyed request makes take ids
 * derived from the key, so a request whose answer was never recorded (the process died) is simply
 * done again, and the store recognises what it had already written.
 */

/** Printable ASCII without spaces at the ends: what clients put in headers. */
const KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;
const NAMESPACE = 'b0e7f3a2-6c1d-4e58-8a9b-2d4f6e8a0c13';

const keyOf = (res: Response): string | undefined => res.locals['idempotencyKey'] as string | undefined;

/** The id a write of this call uses: stable under an Idempotency-Key, random otherwise. */
export function callCommandId(res: Response, label: string): string {
  const key = keyOf(res);
  const principal = principalOf(res);
  return key === undefined || !principal ? randomUUID() : uuidV5(NAMESPACE, `${principal.tokenId}\n${key}\n${label}`);
}

/** Called by the operation runner with the reply it is about to send. */
export type ReplyRecorder = (reply: ApiReply) => Promise<ApiReply>;
export const replyRecorderOf = (res: Response): ReplyRecorder | undefined => res.locals['recordReply'] as ReplyRecorder | undefined;

export function idempotency(records: IdempotencyRecords): (operation: ApiOperation) => RequestHandler {
  // Keys being answered in this process: a concurrent repeat must not run the operation twice at once.
  const running = new Set<string>();
  return (operation) => (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined) return next();
    if (!KEY.test(key)) return sendProblem(res, { status: 400, type: 'urn:mdm:problem:invalid-idempotency-key', detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters' });
    const principal = principalOf(res) as ApiPrincipal;
    const keyHash = records.keyHash(principal.tokenId, key);
    const requestHash = createHash('sha256').update(`${req.method}\n${req.originalUrl}\n${canonicalJson(res.locals['body'] ?? null)}`).digest('hex');
    if (running.has(keyHash)) return sendProblem(res, { status: 409, type: 'urn:mdm:problem:request-in-progress', detail: 'a request with this Idempotency-Key is still being answered' });
    running.add(keyHash);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running.delete(keyHash);
    };
    res.once('close', release);
    records.find(keyHash).then((found) => {
      if (found) {
        release();
        if (found.requestHash !== requestHash) return sendProblem(res, { status: 422, type: 'urn:mdm:problem:idempotency-key-reused', detail: 'this Idempotency-Key was used for a different request' });
        return replay(res, found.response);
      }
      res.locals['idempotencyKey'] = key;
      const recorder: ReplyRecorder = async (reply) => {
        // Only successes are kept: a refusal may not hold next time, and a retry should be decided afresh.
        if (reply.status >= 300) return reply;
        const headers = { ...(reply.headers ?? {}), ...(reply.revision !== undefined ? { ETag: `"${reply.revision}"` } : {}) };
        const standing = await records.record(keyHash, requestHash, operation.operationId, { status: reply.status, ...(reply.body !== undefined ? { body: reply.body } : {}), headers }, actorOf(principal));
        return { status: standing.response.status, ...(standing.response.body !== undefined ? { body: standing.response.body } : {}), headers: standing.response.headers };
      };
      res.locals['recordReply'] = recorder;
      next();
    }, (error: unknown) => {
      release();
      next(error);
    });
  };
}

function replay(res: Response, response: { status: number; body?: unknown; headers: Readonly<Record<string, string>> }): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader('Idempotent-Replayed', 'true');
  if (response.body === undefined) res.status(response.status).end();
  else res.status(response.status).json(response.body);
}
