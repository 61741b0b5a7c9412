import type { RecordedEvent } from '../application/ports/event-store.js';
import type { RevocationReason } from '../domain/certificate/certificate-revocation.js';

/** Who the identity renewal job queues as (CommandQueued.queuedBy). */
export const IDENTITY_RENEWAL_ACTOR = 'system:identity-renewal';

export interface RenewalCandidate {
  readonly udid: string;
  readonly certificateHash: string;
  readonly notAfter: string;
}

/** A certificate that stopped speaking for its device and still awaits its revocation. */
export interface PendingRevocation {
  readonly sha256: string;
  readonly udid: string;
  readonly reason: Extract<RevocationReason, 'checked-out' | 'superseded' | 'wiped'>;
}

interface DeviceEntry {
  certificateHash?: string;
  status: 'enrolling' | 'enrolled' | 'checked-out';
  leaving: boolean;
  /** EraseDevice commands queued and not yet settled. */
  erasing: Set<string>;
}

/** The event types the index reads; a feed may skip the rest without calling apply. */
export const CERTIFICATE_LIFECYCLE_EVENTS: ReadonlySet<string> = new Set([
  'DeviceEnrollmentStarted', 'DeviceEnrolled', 'DeviceCertificateRebound', 'DeviceCheckedOut', 'DeviceUnenrollmentRequested',
  'CommandQueued', 'CommandAcknowledged', 'CommandFailed', 'CommandExpired', 'CommandCancelled',
  'CertificateIssued', 'CertificateBound', 'CertificateRevoked',
]);

const DEVICE_STREAM = 'device-';

/**
 * Which device holds which identity certificate, when each certificate expires, and which
 * certificates left their device without being revoked yet: what the renewal job needs each hour,
 * kept in memory from a subscription so that it never scans the device streams. Pure: times come
 * from the events and the caller's `now`.
 */
export class CertificateLifecycle {
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly expiry = new Map<string, string>();
  private readonly revoked = new Set<string>();
  private readonly renewalQueued = new Set<string>();
  private readonly pending = new Map<string, PendingRevocation>();

  apply(event: Pick<RecordedEvent, 'streamId' | 'type' | 'data'>): void {
    if (!CERTIFICATE_LIFECYCLE_EVENTS.has(event.type)) return;
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'CertificateIssued':
        if (typeof data['sha256'] === 'string' && typeof data['notAfter'] === 'string') this.expiry.set(data['sha256'], data['notAfter']);
        return;
      case 'CertificateBound':
        // SCEP's own record comes first and wins; this covers certificates issued outside SCEP.
        if (typeof data['certificateHash'] === 'string' && typeof data['notAfter'] === 'string' && !this.expiry.has(data['certificateHash'])) this.expiry.set(data['certificateHash'], data['notAfter']);
        return;
      case 'CertificateRevoked':
        if (typeof data['sha256'] === 'string') {
          this.revoked.add(data['sha256']);
          this.pending.delete(data['sha256']);
        }
        return;
    }
    if (!event.streamId.startsWith(DEVICE_STREAM)) return;
    const udid = event.streamId.slice(DEVICE_STREAM.length);
    const device = this.devices.get(udid);
    switch (event.type) {
      case 'DeviceEnrollmentStarted':
        this.devices.set(udid, { certificateHash: data['certificateHash'] as string, status: 'enrolling', leaving: false, erasing: new Set() });
        return;
      case 'DeviceEnrolled':
        if (device) device.status = 'enrolled';
        return;
      case 'DeviceCertificateRebound':
        if (!device) return;
        this.release(data['previousCertificateHash'] as string, udid, 'superseded');
        device.certificateHash = data['certificateHash'] as string;
        return;
      case 'DeviceCheckedOut':
        if (!device) return;
        device.status = 'checked-out';
        device.erasing.clear();
        if (device.certificateHash) this.release(device.certificateHash, udid, 'checked-out');
        return;
      case 'DeviceUnenrollmentRequested':
        if (device) device.leaving = true;
        return;
      case 'CommandQueued': {
        if (!device) return;
        const request = data['request'] as { requestType?: unknown } | undefined;
        if (request?.requestType === 'EraseDevice') device.erasing.add(data['commandUuid'] as string);
        if (data['queuedBy'] === IDENTITY_RENEWAL_ACTOR && device.certificateHash) this.renewalQueued.add(device.certificateHash);
        return;
      }
      case 'CommandAcknowledged':
        if (device?.erasing.delete(data['commandUuid'] as string) && device.certificateHash) this.release(device.certificateHash, udid, 'wiped');
        return;
      case 'CommandFailed':
      case 'CommandExpired':
      case 'CommandCancelled':
        device?.erasing.delete(data['commandUuid'] as string);
        return;
    }
  }

  /**
   * Enrolled devices (not being unenrolled) whose current certificate expires after `now` and
   * within `withinMs`, for which no renewal was queued yet. Certificates of unknown expiry are
   * left out: nothing says they need it.
   */
  dueForRenewal(now: Date, withinMs: number): RenewalCandidate[] {
    const due: RenewalCandidate[] = [];
    for (const [udid, device] of this.devices) {
      const hash = device.certificateHash;
      if (device.status !== 'enrolled' || device.leaving || !hash || this.renewalQueued.has(hash) || this.revoked.has(hash)) continue;
      const notAfter = this.expiry.get(hash);
      if (notAfter === undefined) continue;
      const left = Date.parse(notAfter) - now.getTime();
      if (left > 0 && left <= withinMs) due.push({ udid, certificateHash: hash, notAfter });
    }
    return due;
  }

  /** Certificates that left their device (CheckOut, renewal, erase) and are not revoked yet. */
  pendingRevocations(): PendingRevocation[] {
    return [...this.pending.values()];
  }

  /** The identity certificate a device holds now, if the index knows the device. */
  certificateOf(udid: string): string | undefined {
    return this.devices.get(udid)?.certificateHash;
  }

  private release(sha256: string, udid: string, reason: PendingRevocation['reason']): void {
    if (!this.revoked.has(sha256) && !this.pending.has(sha256)) this.pending.set(sha256, { sha256, udid, reason });
  }
}
