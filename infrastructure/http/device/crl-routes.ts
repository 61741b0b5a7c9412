import { Router } from 'express';
import type { PublishedCrl } from '../../../application/certificates/revocation-list.js';

export const CRL_PATH = '/crl';
export const CRL_MEDIA_TYPE = 'application/pkix-crl';

/**
 * `GET /crl`: the CA's current CRL, DER (RFC 5280 §5, served as RFC 2585 says). Anyone may fetch
 * it: it names serial numbers only. Caches may keep it a minute, so a revocation reaches relying
 * parties that fetch often within about that.
 */
export function crlRoutes(current: () => PublishedCrl, ready: () => boolean = () => true): Router {
  const router = Router();
  router.get(CRL_PATH, (_req, res, next) => {
    try {
      // Until the revocations were read, a CRL would list none of them, and relying parties keep a
      // CRL until its nextUpdate: better none than a wrong one.
      if (!ready()) {
        res.status(503).setHeader('retry-after', '5').end();
        return;
      }
      const crl = current();
      res.status(200).type(CRL_MEDIA_TYPE).setHeader('cache-control', 'public, max-age=60');
      res.setHeader('last-modified', crl.thisUpdate.toUTCString());
      res.send(crl.der);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
