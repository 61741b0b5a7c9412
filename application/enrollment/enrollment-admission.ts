import { DomainError } from '../../domain/shared/domain-error.js';
import type { DeviceState } from '../../domain/device/device.js';
import { issuedCertificateStreamId, type CertificateIssued } from '../certificates/issued-certificates.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import { Enrollments } from './enrollments.js';

/** Which new enrollments wait for an admin's approval. */
export interface QuarantinePolicy {
  /** Every new enrollment (MDM_ENROLLMENT_QUARANTINE). */
  readonly all: boolean;
  /** Per device group; a device whose certificate names no enrollment is asked with no group. */
  readonly required?: (group: string | undefined) => Promise<boolean>;
}

export interface DeviceEnrollmentLink {
  readonly enrollmentId: string;
  readonly user?: string;
  readonly group?: string;
}

export type Admission =
  | { readonly kind: 'admitted'; readonly enrollment?: DeviceEnrollmentLink; readonly quarantine: boolean }
  | { readonly kind: 'refused'; readonly reason: 'enrollment-device-mismatch' | 'enrollment-rejected' };

const REFUSALS = new Set(['enrollment-device-mismatch', 'enrollment-rejected']);

/**
 * Authenticate's view of enrollments: the presented certificate's enrollment (from its issuance
 * record) hears that the device authenticated, which records the UDID ↔ user link, and may refuse
 * it (another device, a rejected enrollment). Certificates issued for no enrollment (a static SCEP
 * challenge, an imported one) are admitted as they always were, quarantined only by the global or
 * group-less policy.
 */
export class EnrollmentAdmission {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly policy: QuarantinePolicy,
    private readonly enrollments: Enrollments = new Enrollments(store, clock),
  ) {}

  /** `at`: when the device authenticated (the time its device events carry too). */
  async admit(udid: string, certificateHash: string, device: DeviceState, at: string = this.clock.now().toISOString()): Promise<Admission> {
    if (device.quarantine?.status === 'rejected' && device.quarantine.certificateHash === certificateHash) return { kind: 'refused', reason: 'enrollment-rejected' };
    const [issued] = await this.store.readStream(issuedCertificateStreamId(certificateHash), { maxCount: 1 });
    const certificate = issued?.type === 'CertificateIssued' ? (issued.data as CertificateIssued['data']) : undefined;
    const enrollmentId = certificate?.enrollmentId;
    // An enrollment id nobody started (a renewal challenge is bound to a device, not an enrollment).
    const enrollment = enrollmentId ? await this.enrollments.state(enrollmentId) : undefined;
    if (!enrollmentId || !certificate || !enrollment?.started) return { kind: 'admitted', quarantine: await this.required(undefined) };

    const actor = { kind: 'device', id: udid } as const;
    // Issuance records this step too; should that record have failed, the enrollment still tells the whole story.
    if (enrollment.identity?.certificateSha256 !== certificateHash) {
      await this.enrollments.record({ type: 'RecordIdentityIssued', enrollmentId, certificateSha256: certificateHash, serialNumber: certificate.serialNumber, notAfter: certificate.notAfter, at: certificate.issuedAt }, { kind: 'system', id: 'scep' });
    }
    const quarantine = enrollment.quarantine === 'none' && enrollment.udid === undefined && (await this.required(enrollment.started.group));
    try {
      const { state } = await this.enrollments.record({ type: 'RecordDeviceAuthenticated', enrollmentId, udid, certificateSha256: certificateHash, quarantine, at }, actor);
      const { user, group } = enrollment.started;
      return { kind: 'admitted', enrollment: { enrollmentId, ...(user ? { user } : {}), ...(group ? { group } : {}) }, quarantine: state.quarantine === 'quarantined' };
    } catch (error) {
      if (error instanceof DomainError && REFUSALS.has(error.code)) return { kind: 'refused', reason: error.code as 'enrollment-device-mismatch' | 'enrollment-rejected' };
      throw error;
    }
  }

  private async required(group: string | undefined): Promise<boolean> {
    return this.policy.all || ((await this.policy.required?.(group)) ?? false);
  }
}
