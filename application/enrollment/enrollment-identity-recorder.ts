import { DomainError } from '../../domain/shared/domain-error.js';
import { issuerOf } from '../certificates/issued-certificates.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ScepIssuanceRecorder, ScepIssuedCertificate } from '../ports/scep-challenges.js';
import type { Enrollments } from './enrollments.js';

/**
 * Records an issued certificate as usual and, when it was issued for an enrollment (its SCEP
 * challenge belonged to one, or the server made it for one's PKCS#12 profile), the
 * EnrollmentIdentityIssued step on that enrollment. The certificate is issued whatever becomes of
 * the step: a challenge bound to no started enrollment (identity renewal binds one to a device)
 * is simply not an enrollment step, and a step that fails to record is recorded again when the
 * device authenticates with the certificate.
 */
export class EnrollmentIdentityRecorder implements ScepIssuanceRecorder {
  constructor(
    private readonly inner: ScepIssuanceRecorder,
    private readonly enrollments: Pick<Enrollments, 'record'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async recordIssued(certificate: ScepIssuedCertificate): Promise<void> {
    await this.inner.recordIssued(certificate);
    const enrollmentId = certificate.enrollmentId;
    if (!enrollmentId) return;
    try {
      await this.enrollments.record(
        { type: 'RecordIdentityIssued', enrollmentId, certificateSha256: certificate.sha256, serialNumber: certificate.serialNumber, notAfter: certificate.notAfter.toISOString(), at: this.clock.now().toISOString() },
        issuerOf(certificate),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'unknown-enrollment') return;
      this.logger.warn('recording the identity on its enrollment failed; it is recorded when the device authenticates', { enrollmentId, serialNumber: certificate.serialNumber, error });
    }
  }
}
