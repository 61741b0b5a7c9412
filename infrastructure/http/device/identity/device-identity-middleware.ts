import type { Request, RequestHandler } from 'express';
import type { CertificateAuthority } from '../../../../application/ports/certificate-authority.js';
import type { Clock } from '../../../../application/ports/clock.js';
import { CertificateChainCheck } from './certificate-chain-check.js';
import { cidrMatcher } from './cidr.js';
import type { DeviceIdentity, DeviceIdentityLocals } from './device-identity.js';
import { refused, type Checked, type IdentityFailure, type IdentityProblem } from './identity-failure.js';
import { presentedCertificate } from './presented-certificate.js';
import { cachedPublicKeys } from './signer-key-cache.js';
import { VerifiedCertificateCache } from './verified-certificate-cache.js';
import { answerUnrecognizedDevice } from '../unrecognized-device.js';

export interface DeviceIdentityOptions {
  readonly ca: CertificateAuthority;
  readonly clock: Clock;
  /** MDM_TRUSTED_PROXY_CIDRS: peers whose Client-Cert header is believed. Malformed blocks throw here. */
  readonly trustedProxyCidrs: readonly string[];
  /** Told about every refused request, after the answer is sent; rate-limit before recording. */
  readonly onFailure?: (failure: IdentityFailure) => void;
  /** Shared or sized cache of verified certificates; a private 10,000-entry one by default. */
  readonly cache?: VerifiedCertificateCache;
  /** Why the certificate of this SHA-256 was revoked, or undefined when it is not. Called on every request: keep it a lookup. */
  readonly revocationReason?: (sha256: string) => string | undefined;
  /** False while the revocations are not known yet (the store did not answer): requests get 503 and retry. */
  readonly revocationsKnown?: () => boolean;
}

/**
 * A revoked certificate is answered 401, which Apple's clients take as "not recognised" and
 * unenroll: its device left, was wiped or an operator revoked it. A superseded one is the exception:
 * its device holds a newer enrollment, which a late request with the old certificate must not undo.
 * A rejected enrollment's certificate gets the same explicit unenroll answer the rejection asked for
 * (see rejectedAnswer), whichever of the two records the device meets first. Every other refusal is 403.
 */
function refusalStatus(problem: IdentityProblem): 401 | 403 {
  return problem.reason === 'revoked' && problem.revocationReason !== 'superseded' ? 401 : 403;
}

/**
 * Ties each request to a device certificate issued by the MDM CA and stores it in
 * `res.locals.deviceIdentity` (read it with deviceIdentityOf()). Refusals answer 403 with an empty
 * body; never 401, which Apple's clients take as "unenroll me", except for revoked certificates.
 *
 * Contract: for Mdm-Signature the exact body bytes must already be in `req.body` as a Buffer, i.e.
 * express.raw() (with the route's size limit) runs before this middleware. A signed request whose
 * body is not a Buffer is refused.
 *
 * It does not decide whether the certificate belongs to the UDID in the message: that needs the
 * device's stream and is the check-in use case's job (see device-binding.ts).
 */
export function deviceIdentity(options: DeviceIdentityOptions): RequestHandler {
  const isTrustedProxy = cidrMatcher(options.trustedProxyCidrs);
  const cache = options.cache ?? new VerifiedCertificateCache();
  const chain = new CertificateChainCheck(options.ca, options.clock, cache);
  const publicKeyOf = cachedPublicKeys(cache.maxEntries);

  const identify = (req: Request): Checked<DeviceIdentity> => {
    const presented = presentedCertificate(req, isTrustedProxy, publicKeyOf);
    if (!presented.ok) return presented;
    const verified = chain.check(presented.value.der);
    if (!verified.ok) return verified;
    const sha256 = verified.value.sha256;
    const revocationReason = options.revocationReason?.(sha256);
    if (revocationReason !== undefined) {
      return { ok: false, problem: { reason: 'revoked', detail: `certificate ${sha256} was revoked (${revocationReason})`, certificateHash: sha256, revocationReason } };
    }
    return {
      ok: true,
      value: {
        certificateDer: presented.value.der,
        certificateSha256: verified.value.sha256,
        subjectCommonName: verified.value.subjectCommonName,
        serialNumber: verified.value.serialNumber,
        notAfter: verified.value.notAfter,
        source: presented.value.source,
      },
    };
  };

  return (req, res, next) => {
    // Fail closed: a revoked certificate must not get through because the list was not read yet.
    if (options.revocationsKnown?.() === false) {
      res.status(503).setHeader('retry-after', '5');
      res.end();
      return;
    }
    let result: Checked<DeviceIdentity>;
    try {
      result = identify(req);
    } catch {
      // Every parser above returns its failures; this is the net for what slipped through.
      result = refused('malformed', 'identity check failed on unexpected input');
    }
    if (result.ok) {
      (res.locals as DeviceIdentityLocals).deviceIdentity = result.value;
      next();
      return;
    }
    if (result.problem.reason === 'revoked' && result.problem.revocationReason === 'enrollment-rejected') answerUnrecognizedDevice(res);
    else res.status(refusalStatus(result.problem)).end();
    if (!options.onFailure) return;
    try {
      options.onFailure({ ...result.problem, remoteAddress: req.socket.remoteAddress ?? 'unknown' });
    } catch (error) {
      // The answer is out; the app's error handler logs the recording fault.
      next(error);
    }
  };
}
