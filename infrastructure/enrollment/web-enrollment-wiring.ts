import { Router } from 'express';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { OtaEnrollments, type OtaEnrollmentOptions } from '../../application/enrollment/ota-enrollments.js';
import { ProfileServiceChallenges } from '../../application/enrollment/profile-service-challenges.js';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { SecretBox } from '../../application/ports/secret-box.js';
import type { UserDirectory } from '../../application/ports/user-directory.js';
import { BuiltInUserDirectory } from '../../application/users/built-in-user-directory.js';
import type { Config } from '../config/config.js';
import { cidrMatcher } from '../http/device/identity/cidr.js';
import { LoginThrottle } from '../http/device/web-enrollment/login-throttle.js';
import { otaRoutes } from '../http/device/web-enrollment/ota-routes.js';
import type { ProfileSigningIdentity } from '../http/device/web-enrollment/profile-answer.js';
import { webEnrollmentRoutes } from '../http/device/web-enrollment/web-enrollment-routes.js';
import type { EnrollmentProfileInputs } from './enrollment-profile.js';
import type { ProfileIdentity } from './profile-identity.js';
import { AppleDeviceCa } from './ota/apple-device-ca.js';

export interface WebEnrollmentWiring {
  readonly store: EventStore;
  readonly secretBox: SecretBox;
  readonly ca: CertificateAuthority;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  readonly signer?: ProfileSigningIdentity;
  /** Another directory (LDAP) instead of the built-in one. */
  readonly directory?: UserDirectory;
  /** The revocation check for phase-3 signers, once certificates can be revoked. */
  readonly isCertificateRevoked?: OtaEnrollmentOptions['isCertificateRevoked'];
  /** MDM_PROFILE_IDENTITY: SCEP when absent. */
  readonly identityFor?: ProfileIdentity;
  /** Revokes the OTA phase-2 identity once the enrollment profile is served. */
  readonly revokeCertificate?: OtaEnrollmentOptions['revokeCertificate'];
}

/** The enrollment page (`/enroll`) and the OTA profile service (`/ota/<id>`) as one router for the device listener. */
export async function wireWebEnrollment(config: Config, w: WebEnrollmentWiring): Promise<Router> {
  const appleDeviceCa = config.enrollment.otaAppleCaFile ? await AppleDeviceCa.load(config.enrollment.otaAppleCaFile) : undefined;
  if (config.enrollment.ota && !appleDeviceCa) w.logger.warn('MDM_OTA_APPLE_CA_FILE is not set: OTA device certificates are not checked against Apple\'s device CA');
  const enrollments = new Enrollments(w.store, w.clock);
  const ota = new OtaEnrollments(w.store, w.clock, enrollments, new ProfileServiceChallenges(w.store, w.clock), {
    ...(w.isCertificateRevoked ? { isCertificateRevoked: w.isCertificateRevoked } : {}),
    ...(w.revokeCertificate ? { revokeCertificate: w.revokeCertificate } : {}),
  });
  const signer = w.signer ? { signer: w.signer } : {};
  const identity = w.identityFor ? { identityFor: w.identityFor } : {};
  const router = Router();
  router.use(webEnrollmentRoutes({
    directory: w.directory ?? new BuiltInUserDirectory(w.store, w.secretBox),
    throttle: new LoginThrottle(config.enrollment.login),
    enrollments,
    ota,
    otaEnabled: config.enrollment.ota,
    profileBase: w.profileBase,
    organization: config.profile.organization,
    isTrustedProxy: cidrMatcher(config.trustedProxyCidrs),
    clock: w.clock,
    logger: w.logger,
    ...signer,
    ...identity,
  }));
  router.use(otaRoutes({ ota, ca: w.ca, ...(appleDeviceCa ? { appleDeviceCa } : {}), profileBase: w.profileBase, clock: w.clock, logger: w.logger, ...signer, ...identity }));
  return router;
}
