import { deviceDecider, deviceStreamId, type DeviceCommand, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import { enrollmentDecider, enrollmentStreamId, type EnrollmentCommand, type EnrollmentEvent, type EnrollmentIdentityIssued, type EnrollmentState } from '../../domain/enrollment/enrollment.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import { findEnrollment, type EnrollmentRecord } from './enrollment-lookup.js';

const NAMESPACE = '3f0b6c52-9d1e-4a7b-8e25-61c4d0a9b7f3';

/** Revokes an identity certificate (by SHA-256) so the CRL lists it and device endpoints refuse it. */
export type RevokeCertificate = (sha256: string, reason: 'enrollment-rejected') => Promise<void>;

export interface QuarantineOutcome {
  readonly udid: string;
  readonly enrollmentId?: string;
  /** The device's identity the decision is about. */
  readonly certificateSha256: string;
  /** False when the same decision had been recorded before: repeating it changes nothing. */
  readonly changed: boolean;
}

type Decision = 'approve' | 'reject';

/**
 * An admin's decision about a quarantined enrollment (or a quarantined device that came through no
 * enrollment), named by enrollment id or UDID. Approval lifts the hold on the device; rejection
 * asks the device to unenroll and revokes its certificates. Both are safe to repeat: the event ids
 * derive from what is decided, and a decision already taken records nothing more.
 */
export class Quarantine {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly revokeCertificate: RevokeCertificate,
  ) {}

  async approve(target: string, actor: Actor): Promise<QuarantineOutcome> {
    return (await this.decide(target, 'approve', actor)).outcome;
  }

  /**
   * Revokes the identity the device authenticated with and every other identity the enrollment
   * was issued (an OTA enrollment's phase-2 identity, one enrolled but never used): none of them
   * may speak for the device any more.
   */
  async reject(target: string, actor: Actor, reason?: string): Promise<QuarantineOutcome> {
    const { outcome, record } = await this.decide(target, 'reject', actor, reason);
    const issued = outcome.enrollmentId === undefined ? [] : record.steps.flatMap((e) => (e.type === 'EnrollmentIdentityIssued' ? [(e.data as EnrollmentIdentityIssued['data']).certificateSha256] : []));
    // Also on a repeat: the revocation may be what failed the first time.
    for (const sha256 of new Set([outcome.certificateSha256, ...issued])) await this.revokeCertificate(sha256, 'enrollment-rejected');
    return outcome;
  }

  private async decide(target: string, decision: Decision, actor: Actor, reason?: string): Promise<{ outcome: QuarantineOutcome; record: EnrollmentRecord }> {
    const record = await findEnrollment(this.store, target);
    if (!record) throw new DomainError('unknown-enrollment', `no enrollment or device ${target}`);
    const by = `${actor.kind}:${actor.id}`;
    const at = this.clock.now().toISOString();
    const outcome = record.enrollmentId && record.enrollment?.started
      ? await this.decideEnrollment(record, record.enrollmentId, record.enrollment, decision, by, at, actor, reason)
      : await this.decideDevice(record, decision, by, at, actor, reason);
    return { outcome, record };
  }

  private async decideEnrollment(record: EnrollmentRecord, enrollmentId: string, enrollment: EnrollmentState, decision: Decision, by: string, at: string, actor: Actor, reason?: string): Promise<QuarantineOutcome> {
    const opposite = decision === 'approve' ? 'rejected' : 'approved';
    if (enrollment.quarantine === opposite) throw new DomainError('not-quarantined', `enrollment ${enrollmentId} was already ${opposite}`);
    if (enrollment.quarantine === 'none') throw new DomainError('not-quarantined', `enrollment ${enrollmentId} is not quarantined${enrollment.udid ? '' : ' (no device has authenticated with it yet)'}`);
    const command: EnrollmentCommand = decision === 'approve'
      ? { type: 'ApproveEnrollment', enrollmentId, approvedBy: by, at }
      : { type: 'RejectEnrollment', enrollmentId, rejectedBy: by, ...(reason ? { reason } : {}), at };
    const result = await handleCommand(this.store, enrollmentDecider, enrollmentStreamId(enrollmentId), { commandId: uuidV5(NAMESPACE, `${enrollmentId}/${decision}`), command, actor, occurredAt: at });
    const udid = result.state.udid!;
    const certificateSha256 = result.state.certificateSha256!;
    // The device holds this enrollment's quarantine unless it never got as far (or moved on since).
    const device = record.udid === udid ? record.device : undefined;
    const held = device?.quarantine?.enrollmentId === enrollmentId && device.quarantine.certificateHash === certificateSha256;
    const deviceEvents = held ? await this.onDevice(udid, certificateSha256, decision, by, at, actor, reason) : [];
    const recorded: EnrollmentEvent[] = result.replayed ? [] : result.events;
    return { udid, enrollmentId, certificateSha256, changed: recorded.length > 0 || deviceEvents.length > 0 };
  }

  private async decideDevice(record: EnrollmentRecord, decision: Decision, by: string, at: string, actor: Actor, reason?: string): Promise<QuarantineOutcome> {
    const { udid, device } = record;
    if (!udid || !device) throw new DomainError('unknown-enrollment', 'no device to decide about');
    const quarantine = quarantineOf(device, udid);
    const events = await this.onDevice(udid, quarantine.certificateHash, decision, by, at, actor, reason);
    return { udid, certificateSha256: quarantine.certificateHash, changed: events.length > 0 };
  }

  private async onDevice(udid: string, certificateHash: string, decision: Decision, by: string, at: string, actor: Actor, reason?: string): Promise<DeviceEvent[]> {
    const command: DeviceCommand = decision === 'approve'
      ? { type: 'ApproveDevice', udid, approvedBy: by, at }
      : { type: 'RejectDevice', udid, rejectedBy: by, ...(reason ? { reason } : {}), at };
    const result = await handleCommand(this.store, deviceDecider, deviceStreamId(udid), { commandId: uuidV5(NAMESPACE, `${udid}/${certificateHash}/${decision}`), command, actor, occurredAt: at });
    return result.replayed ? [] : result.events;
  }
}

function quarantineOf(device: DeviceState, udid: string): NonNullable<DeviceState['quarantine']> {
  if (!device.quarantine) throw new DomainError('not-quarantined', `device ${udid} is not quarantined`);
  return device.quarantine;
}
