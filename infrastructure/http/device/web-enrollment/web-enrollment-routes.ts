import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Enrollments } from '../../../../application/enrollment/enrollments.js';
import type { OtaEnrollments } from '../../../../application/enrollment/ota-enrollments.js';
import type { Clock } from '../../../../application/ports/clock.js';
import type { Logger } from '../../../../application/ports/logger.js';
import type { DirectoryUser, UserDirectory } from '../../../../application/ports/user-directory.js';
import { canonicalUserName } from '../../../../domain/user/user-name.js';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../../enrollment/enrollment-profile.js';
import { scepProfileIdentity, type ProfileIdentity } from '../../../enrollment/profile-identity.js';
import { buildProfileServicePayload } from '../../../enrollment/profile-service-payload.js';
import type { AddressMatcher } from '../identity/cidr.js';
import { clientAddress } from './client-address.js';
import { FORM_FIELDS, LOGIN_PAGE_CSP, renderLoginPage } from './login-page.js';
import type { LoginThrottle } from './login-throttle.js';
import { profileBytes, sendProfile, type ProfileSigningIdentity } from './profile-answer.js';

export interface WebEnrollmentDeps {
  readonly directory: UserDirectory;
  readonly throttle: LoginThrottle;
  readonly enrollments: Enrollments;
  readonly ota: OtaEnrollments;
  /** MDM_ENROLLMENT_OTA: answer the Profile Service payload (true) or the enrollment profile itself. */
  readonly otaEnabled: boolean;
  /** What every enrollment profile shares; undefined when no push certificate is configured (no Topic). */
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  readonly organization: string;
  readonly signer?: ProfileSigningIdentity;
  readonly isTrustedProxy: AddressMatcher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** MDM_PROFILE_IDENTITY for the enrollment profile (OTA off): SCEP when absent. */
  readonly identityFor?: ProfileIdentity;
}

const FORM_COOKIE = '__Host-mdm-enroll-form';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_FORM_BYTES = 4096;
const INVALID_CREDENTIALS = 'The user name or password is not correct.';

/**
 * The enrollment page on the device listener. `GET /enroll` serves the sign-in form; `POST /enroll`
 * checks the user against the directory (rate-limited per user name and per address) and answers,
 * signed when the server has a signing identity, the OTA Profile Service payload, or with OTA off
 * the enrollment profile itself. Every failure shows the form again with a generic message.
 */
export function webEnrollmentRoutes(deps: WebEnrollmentDeps): Router {
  const router = Router();
  const form = express.text({ type: FORM_TYPE, limit: MAX_FORM_BYTES });

  const page = (res: Response, status: number, options: { error?: string; username?: string } = {}) => {
    // A fresh token per form: a sign-in posted from another site carries neither it nor the cookie.
    const formToken = randomBytes(24).toString('base64url');
    res.status(status).type('text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('content-security-policy', LOGIN_PAGE_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('set-cookie', `${FORM_COOKIE}=${formToken}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600`);
    res.send(renderLoginPage({ organization: deps.organization, formToken, ...options }));
  };

  router.get('/enroll', (_req, res) => page(res, 200));

  router.post('/enroll', form, async (req, res, next) => {
    try {
      if (typeof req.body !== 'string') return page(res, 415, { error: 'Please use the form below.' });
      const fields = formFields(req.body);
      if (!fields) return page(res, 400, { error: 'Enter your user name and password.' });
      if (!sameToken(fields.formToken, formCookie(req))) return page(res, 403, { error: 'The page expired. Please sign in again.', username: fields.username });
      const base = deps.profileBase();
      if (!base) {
        deps.logger.warn('enrollment sign-in refused: no push certificate is configured (profiles need its Topic)');
        return page(res, 503, { error: 'Enrollment is not available right now. Please try again later.' });
      }

      const remote = clientAddress(req, deps.isTrustedProxy);
      const username = canonicalUserName(fields.username);
      const now = deps.clock.now().getTime();
      const waitMs = deps.throttle.retryAfterMs(remote, username, now);
      if (waitMs > 0) {
        deps.logger.warn('enrollment sign-in throttled', { username: username ?? '(not a user name)', remote });
        res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
        return page(res, 429, { error: 'Too many attempts. Please wait a while and try again.', username: fields.username });
      }
      deps.throttle.beginAttempt(remote, username, now);
      const authentication = await deps.directory.authenticate(fields.username, fields.password);
      if (!authentication.ok) {
        deps.logger.warn('enrollment sign-in failed', { username: username ?? '(not a user name)', remote });
        return page(res, 401, { error: INVALID_CREDENTIALS, username: fields.username });
      }
      deps.throttle.attemptSucceeded(remote, username, now);
      deps.throttle.recordSuccess(authentication.user.username);
      await (deps.otaEnabled ? answerProfileService(res, base, authentication.user, remote) : answerEnrollmentProfile(res, base, authentication.user, remote));
    } catch (error) {
      next(error);
    }
  });

  async function answerProfileService(res: Response, base: NonNullable<ReturnType<WebEnrollmentDeps['profileBase']>>, user: DirectoryUser, remote: string): Promise<void> {
    const { enrollmentId, challenge } = await deps.ota.start(user);
    const { body, signed } = profileBytes(buildProfileServicePayload({ publicUrl: base.publicUrl, enrollmentId, challenge, organization: base.organization }), deps.signer);
    await deps.ota.recordServed(enrollmentId, 'profile-service', signed, false);
    deps.logger.info('enrollment sign-in: profile service served', { user: user.username, group: user.group, enrollmentId, remote });
    sendProfile(res, body, 'enroll.mobileconfig');
  }

  async function answerEnrollmentProfile(res: Response, base: NonNullable<ReturnType<WebEnrollmentDeps['profileBase']>>, user: DirectoryUser, remote: string): Promise<void> {
    const enrollment = await deps.enrollments.begin({ method: 'web', user: user.username, ...(user.group !== undefined ? { group: user.group } : {}), actor: { kind: 'user', id: user.username } });
    const identity = await (deps.identityFor ?? scepProfileIdentity)(enrollment.enrollmentId, enrollment.challenge);
    const { body, signed } = profileBytes(buildEnrollmentProfile({ ...base, challenge: enrollment.challenge, enrollmentId: enrollment.enrollmentId, ...identity }), deps.signer);
    await deps.enrollments.record({ type: 'RecordProfileServed', enrollmentId: enrollment.enrollmentId, profile: 'mdm', signed, encrypted: false, at: deps.clock.now().toISOString() });
    deps.logger.info('enrollment sign-in: enrollment profile served', { user: user.username, group: user.group, enrollmentId: enrollment.enrollmentId, remote });
    sendProfile(res, body, 'enroll.mobileconfig');
  }

  // Body-parser refusals (too large, aborted, bad charset) get the form, not a stack trace.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (res.headersSent || req.path !== '/enroll' || typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    page(res, status === 413 ? 413 : 400, { error: 'Enter your user name and password.' });
  });
  return router;
}

/** Each field exactly once and bounded; undefined otherwise. */
function formFields(body: string): { username: string; password: string; formToken: string } | undefined {
  const params = new URLSearchParams(body);
  const one = (name: string, max: number) => {
    const values = params.getAll(name);
    return values.length === 1 && values[0]!.length > 0 && values[0]!.length <= max ? values[0] : undefined;
  };
  const username = one(FORM_FIELDS.username, 128);
  const password = one(FORM_FIELDS.password, 1024);
  const formToken = one(FORM_FIELDS.formToken, 64);
  return username !== undefined && password !== undefined && formToken !== undefined ? { username, password, formToken } : undefined;
}

function formCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === FORM_COOKIE) return value.join('=');
  }
  return undefined;
}

function sameToken(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
