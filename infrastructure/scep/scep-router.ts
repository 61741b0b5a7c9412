import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../../application/ports/logger.js';
import type { ScepService } from './scep-service.js';

/** A pkiMessage with a 4096-bit key and a CSR full of extensions stays well below this. */
const MAX_MESSAGE_BYTES = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * RFC 8894 §4 over HTTP: `GET ?operation=GetCACaps|GetCACert|PKIOperation&message=...` and
 * `POST ?operation=PKIOperation` with the DER body. Mount it at /scep on the device listener (and on
 * plain HTTP when configured: a SCEP payload cannot pin the server certificate).
 */
export function createScepRouter(service: ScepService, options: { logger?: Logger } = {}): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: MAX_MESSAGE_BYTES });

  router.get('/', async (req, res) => {
    const operation = single(req.query.operation);
    switch (operation) {
      case 'GetCACaps':
        res.type('text/plain').send(service.caCaps());
        return;
      case 'GetCACert':
        res.type('application/x-x509-ca-ra-cert').send(service.caCertificates());
        return;
      case 'PKIOperation': {
        const message = decodeMessage(single(req.query.message));
        if (!message) return badRequest(res, 'message must be the base64 of a pkiMessage');
        return pkiOperation(message, res);
      }
      default:
        return badRequest(res, 'unknown operation');
    }
  });

  router.post('/', raw, async (req: Request, res: Response) => {
    if (single(req.query.operation) !== 'PKIOperation') return badRequest(res, 'POST is for operation=PKIOperation');
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) return badRequest(res, 'the body must be a DER pkiMessage');
    return pkiOperation(req.body, res);
  });

  async function pkiOperation(message: Buffer, res: Response): Promise<void> {
    try {
      const result = await service.pkiOperation(message);
      if (result.kind === 'badRequest') return badRequest(res, result.reason);
      res.type('application/x-pki-message').send(result.body);
    } catch (error) {
      options.logger?.error('SCEP PKIOperation failed', { error: (error as Error).message });
      res.status(500).type('text/plain').send('internal error\n');
    }
  }

  // Body-parser refusals (too large, aborted) end here rather than in a stack trace.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: unknown }).status;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    if (code === 500) options.logger?.error('SCEP request failed', { error: (error as Error).message });
    res.status(code).type('text/plain').send(code === 413 ? 'pkiMessage too large\n' : 'bad request\n');
  });

  return router;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// Query strings turn an unescaped '+' into a space; clients that forget to escape it still mean '+'.
function decodeMessage(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  const base64 = value.replace(/ /g, '+').replace(/\s/g, '');
  if (base64.length > (MAX_MESSAGE_BYTES * 4) / 3 + 4 || !BASE64.test(base64)) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

function badRequest(res: Response, reason: string): void {
  res.status(400).type('text/plain').send(`${reason}\n`);
}
