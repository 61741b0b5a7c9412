import { Router, type Response } from 'express';
import type { EnrollmentTokens } from '../../../application/enrollment/enrollment-tokens.js';
import type { Enrollments } from '../../../application/enrollment/enrollments.js';
import type { Clock } from '../../../application/ports/clock.js';
import type { Logger } from '../../../application/ports/logger.js';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../enrollment/enrollment-profile.js';
import { scepProfileIdentity, type ProfileIdentity } from '../../enrollment/profile-identity.js';
import { signProfile } from '../../enrollment/sign-profile.js';
import { buildXmlPlist } from '../../plist/index.js';
import { renderTokenLandingPage } from './token-landing-page.js';
import { LOGIN_PAGE_CSP } from './web-enrollment/login-page.js';

export interface EnrollmentRouteDeps {
  readonly tokens: EnrollmentTokens;
  /** What every profile shares; undefined when no push certificate is configured (no Topic). */
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  /** The server's signing identity; undefined serves profiles unsigned. */
  readonly signer?: { readonly certPem: string; readonly keyPem: string; readonly chainPem?: readonly string[] };
  readonly logger: Logger;
  /** Shown on the landing page. */
  readonly organization?: string;
  /** Records EnrollmentProfileServed on the enrollment (with the clock it is stamped by). */
  readonly steps?: { readonly enrollments: Pick<Enrollments, 'record'>; readonly clock: Clock };
  /** MDM_PROFILE_IDENTITY: SCEP when absent. */
  readonly identityFor?: ProfileIdentity;
}

const PROFILE_TYPE = 'application/x-apple-aspen-config';
const bare = (res: Response, status: number) => void res.status(status).end();

/** A step of the enrollment's history: failing to record it must not cost the device its profile (the token use is spent). */
async function recordServed(deps: EnrollmentRouteDeps, enrollmentId: string, signed: boolean): Promise<void> {
  if (!deps.steps) return;
  try {
    await deps.steps.enrollments.record({ type: 'RecordProfileServed', enrollmentId, profile: 'mdm', signed, encrypted: false, at: deps.steps.clock.now().toISOString() });
  } catch (error) {
    deps.logger.warn('recording the served profile on its enrollment failed', { enrollmentId, error });
  }
}

/**
 * `GET /enroll/<token>`: a page whose button POSTs back; it spends nothing and says nothing about
 * the token (link previewers fetch it). `POST /enroll/<token>`: redeems one use of the token and
 * answers the enrollment profile, with a one-time SCEP challenge bound to this enrollment (or the
 * PKCS#12 identity the server made for it, per MDM_PROFILE_IDENTITY). Signed
 * (CMS) unless `?unsigned=1`. An unusable token is a bare 404, whatever the reason.
 */
export function enrollmentRoutes(deps: EnrollmentRouteDeps): Router {
  const router = Router();
  router.get('/enroll/:token', (_req, res) => {
    res.status(200).type('html').setHeader('cache-control', 'no-store').setHeader('content-security-policy', LOGIN_PAGE_CSP).setHeader('x-content-type-options', 'nosniff');
    res.send(renderTokenLandingPage(deps.organization ?? 'MDM'));
  });
  router.post('/enroll/:token', async (req, res, next) => {
    try {
      const base = deps.profileBase();
      if (!base) {
        deps.logger.warn('enrollment profile requested but no push certificate is configured (the profile needs its Topic)');
        return bare(res, 503);
      }
      const token = String(req.params['token'] ?? '');
      const enrollment = await deps.tokens.redeem(token);
      if (!enrollment) return bare(res, 404);
      const identity = await (deps.identityFor ?? scepProfileIdentity)(enrollment.enrollmentId, enrollment.challenge);
      const profile = buildEnrollmentProfile({ ...base, challenge: enrollment.challenge, enrollmentId: enrollment.enrollmentId, ...identity });
      const xml = Buffer.from(buildXmlPlist(profile));
      deps.logger.info('enrollment profile served', { enrollmentId: enrollment.enrollmentId, user: enrollment.user, group: enrollment.group });
      const unsigned = req.query['unsigned'] === '1' || !deps.signer;
      await recordServed(deps, enrollment.enrollmentId, !unsigned);
      res.status(200).type(PROFILE_TYPE).setHeader('content-disposition', 'attachment; filename="enroll.mobileconfig"');
      res.send(unsigned ? xml : signProfile(xml, deps.signer!.certPem, deps.signer!.keyPem, deps.signer!.chainPem ?? []));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
