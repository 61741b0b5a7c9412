import { randomUUID } from 'node:crypto';
import type { DeviceAttributes, EnrollmentProfileKind } from '../../domain/enrollment/enrollment.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { issuedCertificateStreamId, type CertificateIssued } from '../certificates/issued-certificates.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { DirectoryUser } from '../ports/user-directory.js';
import type { Enrollments } from './enrollments.js';
import type { ProfileServiceChallenges } from './profile-service-challenges.js';

/** Why a device's answer was refused; the HTTP layer maps each to the status devices expect. */
export type OtaRefusal =
  /** The challenge is missing, unknown, spent, expired or another enrollment's. */
  | 'challenge'
  /** No such OTA enrollment, or it is not at the step the answer belongs to. */
  | 'enrollment'
  /** The signer is not the identity issued for this enrollment. */
  | 'certificate'
  /** The identity was revoked. */
  | 'revoked'
  /** Another device than the one that answered phase 2. */
  | 'device';

export type OtaOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: OtaRefusal; readonly detail: string };

/** What the device's phase-3 answer was signed with, after the caller checked that our CA issued it. */
export interface OtaSignerIdentity {
  readonly sha256: string;
  readonly commonName: string | undefined;
}

export interface OtaEnrollmentOptions {
  /** Whether a certificate (SHA-256, hex) was revoked; without it, nothing counts as revoked. */
  readonly isCertificateRevoked?: (sha256: string) => boolean | Promise<boolean>;
  /** Revokes a certificate (SHA-256, hex); without it, the phase-2 identity stays valid until it expires. */
  readonly revokeCertificate?: (sha256: string, reason: 'superseded') => Promise<unknown>;
}

const refuse = <T>(refusal: OtaRefusal, detail: string): OtaOutcome<T> => ({ ok: false, refusal, detail });

/**
 * The over-the-air profile service's decisions. Phase 1: a signed-in user starts an enrollment and
 * gets a Profile Service challenge. Phase 2: the device answers with it (signed by Apple's device
 * certificate, checked by the caller); the challenge is spent, the device's attributes recorded and
 * a SCEP challenge handed out for an identity named for the enrollment. Phase 3: the device answers
 * again signed with that identity and receives the enrollment profile, once per enrollment; that
 * identity is then revoked, its work done. Every check comes before the first append, so a refused
 * answer records nothing.
 */
export class OtaEnrollments {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly enrollments: Enrollments,
    private readonly challenges: ProfileServiceChallenges,
    private readonly options: OtaEnrollmentOptions = {},
  ) {}

  /** Phase 1. No SCEP challenge yet: the device earns one by answering the profile service. */
  async start(user: DirectoryUser): Promise<{ enrollmentId: string; challenge: string }> {
    const enrollmentId = randomUUID();
    await this.enrollments.start(enrollmentId, { method: 'ota', user: user.username, ...(user.group !== undefined ? { group: user.group } : {}), actor: { kind: 'user', id: user.username } });
    return { enrollmentId, challenge: await this.challenges.issue(enrollmentId) };
  }

  /** Phase 2: returns the one-time SCEP challenge for the identity payload. */
  async acceptDeviceAttributes(enrollmentId: string, attributes: DeviceAttributes, challenge: string | undefined): Promise<OtaOutcome<{ scepChallenge: string }>> {
    if (challenge === undefined) return refuse('challenge', 'the answer carries no CHALLENGE');
    const state = await this.enrollments.state(enrollmentId);
    if (state.started?.method !== 'ota') return refuse('enrollment', 'no OTA enrollment with this id');
    if (state.attributes) return refuse('challenge', 'this enrollment was answered before');
    if (!(await this.challenges.redeemable(challenge, enrollmentId))) return refuse('challenge', 'the challenge is unknown, spent, expired or another enrollment\'s');
    // Spending the challenge is the first append and the one that can lose a race: the loser stops here.
    if (!(await this.challenges.redeem(challenge, enrollmentId, attributes.udid))) return refuse('challenge', 'the challenge was spent meanwhile');
    const at = this.clock.now().toISOString();
    await this.enrollments.record({ type: 'RecordDeviceAttributes', enrollmentId, attributes, at }, { kind: 'device', id: attributes.udid });
    const { challenge: scepChallenge } = await this.enrollments.issueChallenge(enrollmentId);
    return { ok: true, value: { scepChallenge } };
  }

  /** Phase 3: returns the one-time SCEP challenge for the enrollment profile's MDM identity. */
  async authorizeEnrollmentProfile(enrollmentId: string, udid: string, signer: OtaSignerIdentity, challenge: string | undefined): Promise<OtaOutcome<{ scepChallenge: string; user?: string; group?: string }>> {
    if (signer.commonName !== enrollmentId) return refuse('certificate', 'the signer is not named for this enrollment');
    const [issued] = await this.store.readStream(issuedCertificateStreamId(signer.sha256), { maxCount: 1 });
    if (issued?.type !== 'CertificateIssued' || (issued.data as CertificateIssued['data']).enrollmentId !== enrollmentId) {
      return refuse('certificate', 'the signer was not issued for this enrollment');
    }
    if (await this.options.isCertificateRevoked?.(signer.sha256)) return refuse('revoked', 'the signer was revoked');
    const state = await this.enrollments.state(enrollmentId);
    if (state.started?.method !== 'ota' || !state.attributes) return refuse('enrollment', 'the enrollment has not answered phase 2');
    if (state.attributes.udid !== udid) return refuse('device', 'another device answered phase 2');
    // Each phase 3 hands out a challenge for a CA-signed identity: one profile per enrollment, and
    // none once a device enrolled with it or an admin rejected it.
    if (state.enrollmentProfileServedAt !== undefined) return refuse('enrollment', 'the enrollment profile was served before');
    if (state.quarantine === 'rejected') return refuse('enrollment', 'the enrollment was rejected');
    if (state.udid !== undefined) return refuse('enrollment', 'a device has authenticated with this enrollment already');
    // Devices repeat phase 1's challenge; when they do, it must be the one this device spent.
    if (challenge !== undefined && !(await this.challenges.redeemedBy(challenge, enrollmentId, udid))) return refuse('challenge', 'the challenge is not the one this device answered with');
    const { challenge: scepChallenge } = await this.enrollments.issueChallenge(enrollmentId);
    const { user, group } = state.started;
    return { ok: true, value: { scepChallenge, ...(user !== undefined ? { user } : {}), ...(group !== undefined ? { group } : {}) } };
  }

  /**
   * Phase 3's last step, once the profile is built and before it is sent: the phase-2 identity is
   * revoked (superseded: it existed to sign this answer and receive the encrypted profile), then
   * the profile is recorded served, which only one answer per enrollment can do. Revoked first, so
   * that should the revocation fail nothing says the enrollment is spent and the device may answer
   * again; a concurrent answer that loses the record is refused.
   */
  async enrollmentProfileServed(enrollmentId: string, signer: OtaSignerIdentity, signed: boolean): Promise<OtaOutcome<undefined>> {
    await this.options.revokeCertificate?.(signer.sha256, 'superseded');
    try {
      await this.enrollments.record({ type: 'RecordProfileServed', enrollmentId, profile: 'mdm', signed, encrypted: true, at: this.clock.now().toISOString() });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'profile-served') return refuse('enrollment', 'the enrollment profile was served meanwhile');
      throw error;
    }
    return { ok: true, value: undefined };
  }

  async recordServed(enrollmentId: string, profile: EnrollmentProfileKind, signed: boolean, encrypted: boolean): Promise<void> {
    await this.enrollments.record({ type: 'RecordProfileServed', enrollmentId, profile, signed, encrypted, at: this.clock.now().toISOString() });
  }
}
