import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { X509Certificate } from 'node:crypto';
import type { OtaEnrollments, OtaRefusal } from '../../../../application/enrollment/ota-enrollments.js';
import type { CertificateAuthority } from '../../../../application/ports/certificate-authority.js';
import type { Clock } from '../../../../application/ports/clock.js';
import type { Logger } from '../../../../application/ports/logger.js';
import { isUuid } from '../../../../application/deterministic-ids.js';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../../enrollment/enrollment-profile.js';
import { encryptProfileContent } from '../../../enrollment/encrypt-profile.js';
import { scepProfileIdentity, type ProfileIdentity } from '../../../enrollment/profile-identity.js';
import { buildOtaIdentityProfile } from '../../../enrollment/ota-identity-profile.js';
import type { AppleDeviceCa } from '../../../enrollment/ota/apple-device-ca.js';
import { DeviceAnswerContentError, parseDeviceAnswerContent, type DeviceAnswerContent } from '../../../enrollment/ota/device-answer-content.js';
import { verifySignedDeviceAnswer, type SignedDeviceAnswer } from '../../../enrollment/ota/signed-device-answer.js';
import { summarizeCertificate } from '../identity/certificate-summary.js';
import { profileBytes, sendProfile, type ProfileSigningIdentity } from './profile-answer.js';

export interface OtaRouteDeps {
  readonly ota: OtaEnrollments;
  readonly ca: CertificateAuthority;
  /** MDM_OTA_APPLE_CA_FILE; without it any signer is accepted in phase 2 (the challenge still binds). */
  readonly appleDeviceCa?: AppleDeviceCa;
  readonly profileBase: () => Omit<EnrollmentProfileInputs, 'challenge' | 'enrollmentId'> | undefined;
  readonly signer?: ProfileSigningIdentity;
  readonly clock: Clock;
  readonly logger: Logger;
  /** MDM_PROFILE_IDENTITY for phase 3's enrollment profile (phase 2's stays SCEP): SCEP when absent. */
  readonly identityFor?: ProfileIdentity;
}

/** A device's signed answer with a few certificates is a few KiB. */
const MAX_ANSWER_BYTES = 64 * 1024;

const STATUS: Readonly<Record<OtaRefusal, number>> = { challenge: 401, enrollment: 403, certificate: 403, revoked: 403, device: 403 };

/** Devices read status codes, not bodies. */
const bare = (res: Response, status: number) => void res.status(status).end();

/**
 * `POST /ota/<enrollment id>`: the profile service's answers. A signer issued by our CA is phase 3
 * (answered with the enrollment profile encrypted to that certificate), any other is phase 2
 * (answered with the SCEP identity profile). Malformed answers get 400, a signature that does not
 * verify or a bad challenge 401, a signer or device that is not this enrollment's 403; none of
 * them records anything.
 */
export function otaRoutes(deps: OtaRouteDeps): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: MAX_ANSWER_BYTES });

  router.post('/ota/:enrollmentId', raw, async (req, res, next) => {
    try {
      const enrollmentId = String(req.params['enrollmentId'] ?? '');
      if (!isUuid(enrollmentId)) return bare(res, 404);
      const log = deps.logger.child({ enrollmentId, remote: req.socket.remoteAddress });
      const base = deps.profileBase();
      if (!base) {
        log.warn('OTA answer refused: no push certificate is configured (profiles need its Topic)');
        return bare(res, 503);
      }
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) return bare(res, 400);
      const checked = verifySignedDeviceAnswer(req.body);
      if (!checked.ok) {
        log.warn('OTA answer refused', { reason: checked.reason, detail: checked.detail });
        return bare(res, checked.reason === 'malformed' ? 400 : 401);
      }
      let content: DeviceAnswerContent;
      try {
        content = parseDeviceAnswerContent(checked.answer.content);
      } catch (error) {
        if (!(error instanceof DeviceAnswerContentError)) throw error;
        log.warn('OTA answer refused', { reason: 'malformed', detail: error.message });
        return bare(res, 400);
      }
      const ours = deps.ca.verifyIssued(checked.answer.signerDer, deps.clock.now());
      await (ours ? phase3 : phase2)(res, enrollmentId, checked.answer, content, base, log);
    } catch (error) {
      next(error);
    }
  });

  async function phase2(res: Response, enrollmentId: string, answer: SignedDeviceAnswer, content: DeviceAnswerContent, base: Base, log: Logger): Promise<void> {
    const udid = content.attributes.udid;
    if (deps.appleDeviceCa) {
      if (!deps.appleDeviceCa.issued(answer.signerDer, answer.certificatesDer)) {
        log.warn('OTA answer refused: the device certificate does not chain to MDM_OTA_APPLE_CA_FILE', { udid });
        return bare(res, 403);
      }
    } else {
      log.warn('OTA device certificate not chain-checked (MDM_OTA_APPLE_CA_FILE is not set); the challenge alone binds the device', { udid });
    }
    const outcome = await deps.ota.acceptDeviceAttributes(enrollmentId, content.attributes, content.challenge);
    if (!outcome.ok) {
      log.warn('OTA answer refused', { phase: 2, udid, reason: outcome.refusal, detail: outcome.detail });
      return bare(res, STATUS[outcome.refusal]);
    }
    const profile = buildOtaIdentityProfile({ publicUrl: base.publicUrl, enrollmentId, challenge: outcome.value.scepChallenge, organization: base.organization, caCertificateDer: base.caCertificateDer, ...(base.scepUrl ? { scepUrl: base.scepUrl } : {}) });
    const { body, signed } = profileBytes(profile, deps.signer);
    await deps.ota.recordServed(enrollmentId, 'identity', signed, false);
    log.info('OTA phase 2: identity profile served', { udid, product: content.attributes.product, version: content.attributes.version });
    sendProfile(res, body, 'identity.mobileconfig');
  }

  async function phase3(res: Response, enrollmentId: string, answer: SignedDeviceAnswer, content: DeviceAnswerContent, base: Base, log: Logger): Promise<void> {
    const udid = content.attributes.udid;
    const summary = summarizeCertificate(answer.signerDer);
    // Checked before anything is recorded: only RSA keys can receive an encrypted profile.
    if (new X509Certificate(answer.signerDer).publicKey.asymmetricKeyType !== 'rsa') {
      log.warn('OTA answer refused: the identity key is not RSA', { phase: 3, udid, certificate: summary.sha256 });
      return bare(res, 403);
    }
    const outcome = await deps.ota.authorizeEnrollmentProfile(enrollmentId, udid, { sha256: summary.sha256, commonName: summary.subjectCommonName }, content.challenge);
    if (!outcome.ok) {
      log.warn('OTA answer refused', { phase: 3, udid, certificate: summary.sha256, reason: outcome.refusal, detail: outcome.detail });
      return bare(res, STATUS[outcome.refusal]);
    }
    const identity = await (deps.identityFor ?? scepProfileIdentity)(enrollmentId, outcome.value.scepChallenge);
    const profile = encryptProfileContent(buildEnrollmentProfile({ ...base, challenge: outcome.value.scepChallenge, enrollmentId, ...identity }), answer.signerDer);
    const { body, signed } = profileBytes(profile, deps.signer);
    const served = await deps.ota.enrollmentProfileServed(enrollmentId, { sha256: summary.sha256, commonName: summary.subjectCommonName }, signed);
    if (!served.ok) {
      log.warn('OTA answer refused', { phase: 3, udid, certificate: summary.sha256, reason: served.refusal, detail: served.detail });
      return bare(res, STATUS[served.refusal]);
    }
    log.info('OTA phase 3: encrypted enrollment profile served', { udid, user: outcome.value.user, group: outcome.value.group, certificate: summary.sha256 });
    sendProfile(res, body, 'enroll.mobileconfig');
  }

  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (res.headersSent || !req.path.startsWith('/ota/') || typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    bare(res, status === 413 ? 413 : 400);
  });
  return router;
}

type Base = NonNullable<ReturnType<OtaRouteDeps['profileBase']>>;
