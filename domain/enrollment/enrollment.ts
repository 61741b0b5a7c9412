import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * One enrollment: from the moment a device is handed an enrollment (a token link, the web page or
 * the OTA profile service) to the device authenticating with the identity issued for it, and, under
 * quarantine, an admin's approval or rejection. Stream `enrollment-<enrollmentId>`; the identity
 * certificate's subject (CN=<enrollmentId>) and the one-time SCEP challenge tie the steps together.
 */
export type EnrollmentMethod = 'token' | 'web' | 'ota';

/** What an OTA device reports in phase 1 (DeviceAttributes); none of it is secret. */
export interface DeviceAttributes {
  readonly udid: string;
  readonly product?: string;
  readonly version?: string;
  readonly serialNumber?: string;
  readonly imei?: string;
  readonly meid?: string;
  readonly deviceName?: string;
}

export type EnrollmentProfileKind =
  /** The OTA phase-1 Profile Service payload. */
  | 'profile-service'
  /** The OTA phase-2 profile: only the SCEP payload, for the identity the final profile is encrypted to. */
  | 'identity'
  /** The enrollment profile (CA, SCEP identity, MDM payload), signed or not, encrypted or not. */
  | 'mdm';

export type EnrollmentCommand =
  | { readonly type: 'StartEnrollment'; readonly enrollmentId: string; readonly method: EnrollmentMethod; readonly tokenId?: string; readonly user?: string; readonly group?: string; readonly at: string }
  | { readonly type: 'RecordDeviceAttributes'; readonly enrollmentId: string; readonly attributes: DeviceAttributes; readonly at: string }
  | { readonly type: 'RecordProfileServed'; readonly enrollmentId: string; readonly profile: EnrollmentProfileKind; readonly signed: boolean; readonly encrypted: boolean; readonly at: string }
  | { readonly type: 'RecordIdentityIssued'; readonly enrollmentId: string; readonly certificateSha256: string; readonly serialNumber: string; readonly notAfter: string; readonly at: string }
  | { readonly type: 'RecordDeviceAuthenticated'; readonly enrollmentId: string; readonly udid: string; readonly certificateSha256: string; readonly quarantine: boolean; readonly at: string }
  | { readonly type: 'ApproveEnrollment'; readonly enrollmentId: string; readonly approvedBy: string; readonly at: string }
  | { readonly type: 'RejectEnrollment'; readonly enrollmentId: string; readonly rejectedBy: string; readonly reason?: string; readonly at: string };

export type EnrollmentStarted = {
  readonly type: 'EnrollmentStarted';
  readonly data: { readonly enrollmentId: string; readonly method: EnrollmentMethod; readonly tokenId?: string; readonly user?: string; readonly group?: string; readonly startedAt: string };
};
export type EnrollmentDeviceAttributesReceived = {
  readonly type: 'EnrollmentDeviceAttributesReceived';
  readonly data: { readonly enrollmentId: string; readonly attributes: DeviceAttributes; readonly receivedAt: string };
};
export type EnrollmentProfileServed = {
  readonly type: 'EnrollmentProfileServed';
  readonly data: { readonly enrollmentId: string; readonly profile: EnrollmentProfileKind; readonly signed: boolean; readonly encrypted: boolean; readonly servedAt: string };
};
export type EnrollmentIdentityIssued = {
  readonly type: 'EnrollmentIdentityIssued';
  readonly data: { readonly enrollmentId: string; readonly certificateSha256: string; readonly serialNumber: string; readonly notAfter: string; readonly issuedAt: string };
};
/** The device authenticated with this enrollment's identity: the UDID ↔ user record. */
export type EnrollmentDeviceAuthenticated = {
  readonly type: 'EnrollmentDeviceAuthenticated';
  readonly data: { readonly enrollmentId: string; readonly udid: string; readonly certificateSha256: string; readonly user?: string; readonly group?: string; readonly authenticatedAt: string };
};
/** Held for an admin: the device may check in but gets no commands and no pushes. */
export type EnrollmentQuarantined = {
  readonly type: 'EnrollmentQuarantined';
  readonly data: { readonly enrollmentId: string; readonly udid: string; readonly user?: string; readonly group?: string; readonly quarantinedAt: string };
};
export type EnrollmentApproved = {
  readonly type: 'EnrollmentApproved';
  readonly data: { readonly enrollmentId: string; readonly udid: string; readonly approvedBy: string; readonly approvedAt: string };
};
export type EnrollmentRejected = {
  readonly type: 'EnrollmentRejected';
  readonly data: { readonly enrollmentId: string; readonly udid: string; readonly certificateSha256: string; readonly rejectedBy: string; readonly reason?: string; readonly rejectedAt: string };
};

export type EnrollmentEvent =
  | EnrollmentStarted
  | EnrollmentDeviceAttributesReceived
  | EnrollmentProfileServed
  | EnrollmentIdentityIssued
  | EnrollmentDeviceAuthenticated
  | EnrollmentQuarantined
  | EnrollmentApproved
  | EnrollmentRejected;

export type QuarantineStatus = 'none' | 'quarantined' | 'approved' | 'rejected';

export interface EnrollmentState {
  readonly started?: EnrollmentStarted['data'];
  readonly attributes?: DeviceAttributes;
  readonly identity?: EnrollmentIdentityIssued['data'];
  readonly udid?: string;
  readonly certificateSha256?: string;
  readonly quarantine: QuarantineStatus;
  /** When the enrollment profile (kind `mdm`) was first served. */
  readonly enrollmentProfileServedAt?: string;
}

export const enrollmentStreamId = (enrollmentId: string): string => `enrollment-${enrollmentId}`;

function requireStarted(s: EnrollmentState, enrollmentId: string): NonNullable<EnrollmentState['started']> {
  if (!s.started) throw new DomainError('unknown-enrollment', `no enrollment ${enrollmentId}`);
  return s.started;
}

function decide(c: EnrollmentCommand, s: EnrollmentState): EnrollmentEvent[] {
  switch (c.type) {
    case 'StartEnrollment':
      if (s.started) return [];
      return [{ type: 'EnrollmentStarted', data: { enrollmentId: c.enrollmentId, method: c.method, ...(c.tokenId ? { tokenId: c.tokenId } : {}), ...(c.user ? { user: c.user } : {}), ...(c.group ? { group: c.group } : {}), startedAt: c.at } }];
    case 'RecordDeviceAttributes':
      requireStarted(s, c.enrollmentId);
      // Phase 1 answers once: a second answer naming another device is someone replaying the challenge.
      if (s.attributes) {
        if (s.attributes.udid !== c.attributes.udid) throw new DomainError('enrollment-device-mismatch', 'this enrollment belongs to another device');
        return [];
      }
      return [{ type: 'EnrollmentDeviceAttributesReceived', data: { enrollmentId: c.enrollmentId, attributes: c.attributes, receivedAt: c.at } }];
    case 'RecordProfileServed': {
      const started = requireStarted(s, c.enrollmentId);
      // OTA phase 3 hands out an identity challenge with the profile: once per enrollment, so a
      // second answer (a replay, a concurrent one) loses here, before its profile leaves.
      if (c.profile === 'mdm' && started.method === 'ota' && s.enrollmentProfileServedAt !== undefined) throw new DomainError('profile-served', 'this enrollment\'s profile was served before');
      return [{ type: 'EnrollmentProfileServed', data: { enrollmentId: c.enrollmentId, profile: c.profile, signed: c.signed, encrypted: c.encrypted, servedAt: c.at } }];
    }
    case 'RecordIdentityIssued':
      requireStarted(s, c.enrollmentId);
      if (s.identity?.certificateSha256 === c.certificateSha256) return [];
      return [{ type: 'EnrollmentIdentityIssued', data: { enrollmentId: c.enrollmentId, certificateSha256: c.certificateSha256, serialNumber: c.serialNumber, notAfter: c.notAfter, issuedAt: c.at } }];
    case 'RecordDeviceAuthenticated': {
      const started = requireStarted(s, c.enrollmentId);
      if (s.udid !== undefined && s.udid !== c.udid) throw new DomainError('enrollment-device-mismatch', 'this enrollment belongs to another device');
      if (s.attributes && s.attributes.udid !== c.udid) throw new DomainError('enrollment-device-mismatch', 'the device that answered the profile service is not the one authenticating');
      if (s.quarantine === 'rejected') throw new DomainError('enrollment-rejected', 'this enrollment was rejected');
      if (s.udid === c.udid && s.certificateSha256 === c.certificateSha256) return [];
      const who = { ...(started.user ? { user: started.user } : {}), ...(started.group ? { group: started.group } : {}) };
      const events: EnrollmentEvent[] = [{ type: 'EnrollmentDeviceAuthenticated', data: { enrollmentId: c.enrollmentId, udid: c.udid, certificateSha256: c.certificateSha256, ...who, authenticatedAt: c.at } }];
      if (c.quarantine && s.quarantine === 'none') events.push({ type: 'EnrollmentQuarantined', data: { enrollmentId: c.enrollmentId, udid: c.udid, ...who, quarantinedAt: c.at } });
      return events;
    }
    case 'ApproveEnrollment':
      requireStarted(s, c.enrollmentId);
      if (s.quarantine === 'approved') return [];
      if (s.quarantine !== 'quarantined' || !s.udid) throw new DomainError('not-quarantined', 'only a quarantined enrollment can be approved');
      return [{ type: 'EnrollmentApproved', data: { enrollmentId: c.enrollmentId, udid: s.udid, approvedBy: c.approvedBy, approvedAt: c.at } }];
    case 'RejectEnrollment':
      requireStarted(s, c.enrollmentId);
      if (s.quarantine === 'rejected') return [];
      if (s.quarantine !== 'quarantined' || !s.udid || !s.certificateSha256) throw new DomainError('not-quarantined', 'only a quarantined enrollment can be rejected');
      return [{ type: 'EnrollmentRejected', data: { enrollmentId: c.enrollmentId, udid: s.udid, certificateSha256: s.certificateSha256, rejectedBy: c.rejectedBy, ...(c.reason ? { reason: c.reason } : {}), rejectedAt: c.at } }];
  }
}

function evolve(s: EnrollmentState, e: EnrollmentEvent): EnrollmentState {
  switch (e.type) {
    case 'EnrollmentStarted':
      return { ...s, started: e.data };
    case 'EnrollmentDeviceAttributesReceived':
      return { ...s, attributes: e.data.attributes };
    case 'EnrollmentProfileServed':
      return e.data.profile === 'mdm' && s.enrollmentProfileServedAt === undefined ? { ...s, enrollmentProfileServedAt: e.data.servedAt } : s;
    case 'EnrollmentIdentityIssued':
      return { ...s, identity: e.data };
    case 'EnrollmentDeviceAuthenticated':
      return { ...s, udid: e.data.udid, certificateSha256: e.data.certificateSha256 };
    case 'EnrollmentQuarantined':
      return { ...s, quarantine: 'quarantined' };
    case 'EnrollmentApproved':
      return { ...s, quarantine: 'approved' };
    case 'EnrollmentRejected':
      return { ...s, quarantine: 'rejected' };
  }
}

export const enrollmentDecider: Decider<EnrollmentCommand, EnrollmentEvent, EnrollmentState> = {
  initialState: () => ({ quarantine: 'none' }),
  decide,
  evolve,
};
