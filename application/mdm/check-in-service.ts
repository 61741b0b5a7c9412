import { randomUUID } from 'node:crypto';
import { certificateBindingDecider, certificateStreamId } from '../../domain/certificate/certificate-binding.js';
import { deviceDecider, deviceStreamId, type DeviceCommand, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { handleCommand, type CommandResult } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { SecretBox } from '../ports/secret-box.js';
import type { StateCache } from '../state-cache.js';
import type { CheckInMessage, DeviceAnswer, PresentedIdentity, ReleasedCertificate } from './messages.js';
import { unlockTokenContext } from './secret-contexts.js';
import { checkBinding, loadDeviceState, unenrollmentAnswer } from './device-binding.js';
import { awaitingApproval } from '../../domain/device/quarantine.js';
import { identitySuccession, type RevocationLookup } from './identity-succession.js';
import type { Admission } from '../enrollment/enrollment-admission.js';

export interface CheckInHooks {
  /**
   * The push topic (the push certificate's UID) when push is configured. A device enrolled under
   * another topic could never be woken, and its pushes would be answered as configuration faults.
   */
  expectedTopic?: string;
  /** A device became pushable or changed its token (the push layer may want to wake it). */
  onPushable?(udid: string): void;
  /** A device checked out: no more pushes. */
  onCheckedOut?(udid: string): void;
  /**
   * At Authenticate: the enrollment of the presented certificate records the device (and may refuse
   * it) and says whether it waits for an admin. Without it, devices enroll unquarantined.
   */
  admission?: { admit(udid: string, certificateHash: string, device: DeviceState, at: string): Promise<Admission> };
  /**
   * A certificate stopped speaking for its device (CheckOut, or replaced at renewal). Awaited
   * before the device is answered, so a revocation it triggers is stored by then.
   */
  onCertificateReleased?(released: ReleasedCertificate): Promise<void>;
  /**
   * Why a certificate was revoked, if it was. Asked at Authenticate about the certificate a device is
   * bound to when it presents another one: a revoked identity (but a superseded one) lets the device
   * enroll anew. Without it, only an expired identity does.
   */
  revocationOf?: RevocationLookup;
}

/**
 * The CheckInURL side of the protocol: Authenticate, TokenUpdate, CheckOut. The certificate the
 * device presented is bound to its UDID at Authenticate; every later message must come with that
 * certificate. A device that renews its identity authenticates with the renewed certificate, which
 * rebinds it (the enrollment, queue and inventory stay); a device whose identity ended without a
 * CheckOut (wiped, revoked, expired) enrolls anew with any other certificate of our CA.
 */
export class CheckInService {
  constructor(
    private readonly store: EventStore,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly cache: StateCache<DeviceState>,
    private readonly hooks: CheckInHooks = {},
  ) {}

  async handle(message: CheckInMessage, identity: PresentedIdentity): Promise<DeviceAnswer> {
    const at = this.clock.now().toISOString();
    const expected = this.hooks.expectedTopic;
    if (expected !== undefined && (message.messageType === 'Authenticate' || message.messageType === 'TokenUpdate') && message.topic !== expected) {
      return { kind: 'rejected', detail: `topic ${message.topic} is not this server's push topic ${expected}` };
    }
    switch (message.messageType) {
      case 'Authenticate':
        return this.authenticate(message, identity, at);
      case 'TokenUpdate': {
        const refused = await this.requireBinding(message.udid, identity, true);
        if (refused) return refused;
        const context = unlockTokenContext(message.udid);
        const unlock = message.unlockToken
          ? { unlockToken: { sealed: this.secrets.seal(message.unlockToken, context) as Sealed, fingerprint: this.secrets.fingerprint(message.unlockToken, context) } }
          : {};
        const result = await this.device(message.udid, { type: 'RecordTokenUpdate', udid: message.udid, topic: message.topic, pushToken: message.token.toString('hex'), pushMagic: message.pushMagic, ...unlock, at }, true);
        if ('kind' in result) return result;
        // A device held for an admin is not woken: it would find nothing to do.
        if (result.events.length > 0 && !awaitingApproval(result.state)) this.hooks.onPushable?.(message.udid);
        return { kind: 'ok' };
      }
      case 'CheckOut': {
        const refused = await this.requireBinding(message.udid, identity);
        if (refused) return refused;
        const result = await this.device(message.udid, { type: 'CheckOut', udid: message.udid, at }, true);
        if ('kind' in result) return result;
        await this.hooks.onCertificateReleased?.({ udid: message.udid, certificateHash: identity.certificateHash, reason: 'checked-out' });
        this.hooks.onCheckedOut?.(message.udid);
        return { kind: 'ok' };
      }
      default:
        return { kind: 'not-supported' };
    }
  }

  private async authenticate(m: Extract<CheckInMessage, { messageType: 'Authenticate' }>, identity: PresentedIdentity, at: string): Promise<DeviceAnswer> {
    const before = await loadDeviceState(this.store, this.cache, m.udid);
    const bound = before.status === 'enrolled' || before.status === 'enrolling' ? before.certificateHash : undefined;
    const succession = bound !== undefined && bound !== identity.certificateHash
      ? await identitySuccession(this.store, bound, identity.certificateHash, at, this.hooks.revocationOf)
      : {};
    // A device whose identity ended has left, as it was asked to: it may come back.
    const leaving = succession.endedIdentity ? undefined : unenrollmentAnswer(before);
    if (leaving) return leaving;
    // Refuse a takeover before the certificate gets bound to this device.
    if (before.status === 'enrolled' && bound !== identity.certificateHash && !succession.endedIdentity && succession.renewalOf !== bound) return { kind: 'refused', reason: 'rebind-refused' };
    const admission = (await this.hooks.admission?.admit(m.udid, identity.certificateHash, before, at)) ?? { kind: 'admitted', quarantine: false };
    if (admission.kind === 'refused') return { kind: 'refused', reason: admission.reason };
    try {
      await handleCommand(this.store, certificateBindingDecider, certificateStreamId(identity.certificateHash), {
        commandId: randomUUID(),
        command: {
          type: 'BindCertificate', certificateHash: identity.certificateHash, udid: m.udid, at,
          ...(identity.serialNumber ? { serialNumber: identity.serialNumber } : {}), ...(identity.notAfter ? { notAfter: identity.notAfter } : {}),
        },
        actor: { kind: 'device', id: m.udid },
        occurredAt: at,
      });
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'certificate-bound-elsewhere' || error.code === 'certificate-retired')) return { kind: 'refused', reason: error.code };
      throw error;
    }
    const result = await this.device(m.udid, {
      type: 'StartEnrollment', udid: m.udid, topic: m.topic, certificateHash: identity.certificateHash, ...succession, facts: m.facts,
      ...(admission.enrollment ? { enrollment: admission.enrollment } : {}), ...(admission.quarantine ? { quarantine: true } : {}), at,
    });
    if ('kind' in result) return result.kind === 'rejected' && result.detail.startsWith('rebind-refused') ? { kind: 'refused', reason: 'rebind-refused' } : result;
    // The certificate the device left behind speaks for nobody any more.
    for (const event of result.events) {
      if (event.type === 'DeviceCertificateRebound') {
        await this.retire(event.data.previousCertificateHash, m.udid, at);
        await this.hooks.onCertificateReleased?.({ udid: m.udid, certificateHash: event.data.previousCertificateHash, reason: 'superseded' });
      } else if (event.type === 'DeviceEnrollmentStarted' && event.data.previousIdentity) {
        // Revoked or expired already: nothing more to release.
        await this.retire(event.data.previousIdentity.certificateHash, m.udid, at);
      }
    }
    return { kind: 'ok' };
  }

  private async retire(certificateHash: string, udid: string, at: string): Promise<void> {
    await handleCommand(this.store, certificateBindingDecider, certificateStreamId(certificateHash), {
      commandId: randomUUID(),
      command: { type: 'RetireCertificate', certificateHash, udid, at },
      actor: { kind: 'device', id: udid },
      occurredAt: at,
    });
  }

  private async requireBinding(udid: string, identity: PresentedIdentity, refuseIfLeaving = false): Promise<DeviceAnswer | undefined> {
    const state = await loadDeviceState(this.store, this.cache, udid);
    return checkBinding(state, identity) ?? (refuseIfLeaving ? unenrollmentAnswer(state) : undefined);
  }

  /** `cacheIsFresh`: the caller has just loaded this device's state (binding check). */
  private async device(udid: string, command: DeviceCommand, cacheIsFresh = false): Promise<CommandResult<DeviceEvent, DeviceState> | DeviceAnswer> {
    try {
      return await handleCommand(this.store, deviceDecider, deviceStreamId(udid), { commandId: randomUUID(), command, actor: { kind: 'device', id: udid }, occurredAt: command.at }, { cache: this.cache, cacheIsFresh });
    } catch (error) {
      if (error instanceof DomainError) return { kind: 'rejected', detail: `${error.code}: ${error.message}` };
      throw error;
    }
  }
}
