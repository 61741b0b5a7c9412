import { Router, type Response } from 'express';
import type { EnrollmentTokens } from '../../../application/enrollment/enrollment-tokens.js';
import type { Logger } from '../../../application/ports/logger.js';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../enrollment/enrollment-profile.js';
import { signProfile } from '../../enrollment/sign-profile.js';
import { buildXmlPlist } from '../../plist/index.js';

export interface EnrollmentRouteDeps {
  readonly tokens: EnrollmentTokens;
  /** What every profile shares; undefined when no push certificate is configured (no Topic). */
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  /** The server's signing identity; undefined serves profiles unsigned. */
  readonly signer?: { readonly certPem: string; readonly keyPem: string; readonly chainPem?: readonly string[] };
  readonly logger: Logger;
}

const PROFILE_TYPE = 'application/x-apple-aspen-config';
const bare = (res: Response, status: number) => void res.status(status).end();

/**
 * `GET /enroll/<token>`: redeems an enrollment token and answers the enrollment profile, with a
 * one-time SCEP challenge bound to this enrollment. Signed (CMS) unless `?unsigned=1`.
 * An unusable token is a bare 404, whatever the reason.
 */
export function enrollmentRoutes(deps: EnrollmentRouteDeps): Router {
  const router = Router();
  router.get('/enroll/:token', async (req, res, next) => {
    try {
      const base = deps.profileBase();
      if (!base) {
        deps.logger.warn('enrollment profile requested but no push certificate is configured (the profile needs its Topic)');
        return bare(res, 503);
      }
      const token = String(req.params['token'] ?? '');
      const enrollment = await deps.tokens.redeem(token);
      if (!enrollment) return bare(res, 404);
      const profile = buildEnrollmentProfile({ ...base, challenge: enrollment.challenge, enrollmentId: enrollment.enrollmentId });
      const xml = Buffer.from(buildXmlPlist(profile));
      deps.logger.info('enrollment profile served', { enrollmentId: enrollment.enrollmentId, user: enrollment.user, group: enrollment.group });
      const unsigned = req.query['unsigned'] === '1' || !deps.signer;
      res.status(200).type(PROFILE_TYPE).setHeader('content-disposition', 'attachment; filename="enroll.mobileconfig"');
      res.send(unsigned ? xml : signProfile(xml, deps.signer!.certPem, deps.signer!.keyPem, deps.signer!.chainPem ?? []));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
