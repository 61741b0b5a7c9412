import type { CertificateIssued } from '../application/certificates/issued-certificates.js';
import type { ApiAccessDenied } from '../domain/api-token/api-access-denied.js';
import type { ApiTokenEvent } from '../domain/api-token/api-token.js';
import type { IdempotentResponseRecorded } from '../domain/idempotency/idempotent-response.js';
import type { BulkCommandIndexEvent } from '../domain/bulk-command/bulk-command-index.js';
import type { BulkCommandEvent } from '../domain/bulk-command/bulk-command.js';
import type { CertificateBindingEvent } from '../domain/certificate/certificate-binding.js';
import type { CertificateRevocationEvent } from '../domain/certificate/certificate-revocation.js';
import type { RenewalChallengeEvent } from '../domain/certificate/renewal-challenge.js';
import type { DeviceGroupEvent } from '../domain/device-group/device-group.js';
import type { DeviceEvent } from '../domain/device/events.js';
import { RESULT_KINDS, type ResultReported } from '../domain/device/queue/events.js';
import type { DirectoryEvent } from '../domain/directory/directory.js';
import type { EnrollmentTokenEvent } from '../domain/enrollment/enrollment-token.js';
import type { EnrollmentEvent } from '../domain/enrollment/enrollment.js';
import type { ProfileServiceChallengeEvent } from '../domain/enrollment/profile-service-challenge.js';
import type { ScepChallengeEvent } from '../domain/enrollment/scep-challenge.js';
import type { LibraryProfileEvent } from '../domain/profile-library/library-profile.js';
import type { PushCertificateEvent } from '../domain/push/push-certificate.js';
import type { DeviceIdentityRefused } from '../domain/security/identity-refused.js';
import type { UserEvent } from '../domain/user/user.js';

/** Written by the blob store (infrastructure/blobs): content-addressed, sealed bytes. */
type BlobStored = { readonly type: 'BlobStored'; readonly data: { readonly sha256: string; readonly size: number; readonly mediaType: string } };
/** Written by the post-enrollment automation (application/automation/automation-checkpoint.ts). */
type AutomationCheckpointed = { readonly type: 'AutomationCheckpointed'; readonly data: { readonly position?: number; readonly refreshedThrough: string } };

/** Every event type the server writes. A type added to one of these unions must get a summary below. */
export type KnownEvent =
  | DeviceEvent
  | EnrollmentEvent
  | EnrollmentTokenEvent
  | ProfileServiceChallengeEvent
  | ScepChallengeEvent
  | RenewalChallengeEvent
  | CertificateBindingEvent
  | CertificateRevocationEvent
  | CertificateIssued
  | PushCertificateEvent
  | DirectoryEvent
  | DeviceIdentityRefused
  | LibraryProfileEvent
  | DeviceGroupEvent
  | UserEvent
  | BulkCommandEvent
  | BulkCommandIndexEvent
  | ApiTokenEvent
  | ApiAccessDenied
  | IdempotentResponseRecorded
  | BlobStored
  | AutomationCheckpointed;

type SummarizedType = Exclude<KnownEvent['type'], ResultReported['type']>;
type DataOf<T extends SummarizedType> = Extract<KnownEvent, { type: T }>['data'];

const MAX_VALUE = 120;

/**
 * One value for a sentence: text only, control characters removed, bounded. Only fields chosen
 * below ever reach a summary, so sealed values, hashes of challenges and token secrets never do.
 */
export function v(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0) return '?';
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > MAX_VALUE ? `${clean.slice(0, MAX_VALUE - 1)}…` : clean;
}

const short = (hash: unknown): string => (typeof hash === 'string' ? v(hash.slice(0, 12)) : '?');
const by = (actor: unknown): string => ` by ${v(actor)}`;
const optional = (prefix: string, value: unknown): string => (typeof value === 'string' && value.length > 0 ? `${prefix}${v(value)}` : '');

const SUMMARIES: { readonly [T in SummarizedType]: (data: DataOf<T>) => string } = {
  // Device enrollment.
  DeviceEnrollmentStarted: (d) => `Device ${d.reenrollment ? 're-enrollment' : 'enrollment'} started with certificate ${short(d.certificateHash)}${optional(' for user ', d.user)}${optional(', group ', d.group)}`,
  DeviceEnrolled: (d) => `Device enrolled (push topic ${v(d.topic)})`,
  PushTokenUpdated: () => 'Push token updated',
  PushTokenInvalidated: () => 'Push token invalidated by APNs',
  DeviceCheckedOut: () => 'Device checked out',
  DeviceCertificateRebound: (d) => `Device identity renewed: certificate ${short(d.previousCertificateHash)} replaced by ${short(d.certificateHash)}`,
  DeviceUnenrollmentRequested: (d) => `Unenrollment requested${by(d.requestedBy)}: ${v(d.reason)}`,
  DeviceQuarantined: (d) => `Device quarantined (certificate ${short(d.certificateHash)})`,
  DeviceApproved: (d) => `Device approved${by(d.approvedBy)}`,
  DeviceRejected: (d) => `Device rejected${by(d.rejectedBy)}${optional(': ', d.reason)}`,
  // Commands.
  CommandQueued: (d) => `Command ${v(d.request?.requestType)} queued${by(d.queuedBy)}`,
  CommandDelivered: (d) => `Command ${v(d.commandUuid)} delivered (attempt ${v(d.attempt)})`,
  CommandAcknowledged: (d) => `Command ${v(d.commandUuid)} acknowledged`,
  CommandFailed: (d) => `Command ${v(d.commandUuid)} failed (${v(d.status)})`,
  CommandDeferred: (d) => `Command ${v(d.commandUuid)} deferred by the device (NotNow)`,
  CommandExpired: (d) => `Command ${v(d.commandUuid)} expired`,
  CommandCancelled: (d) => `Command ${v(d.commandUuid)} cancelled${by(d.cancelledBy)} (${v(d.reason)})`,
  DeviceSeen: () => 'Device seen',
  BulkCommandRequested: (d) => `Bulk command ${v(d.requestType)} requested${by(d.requestedBy)} for ${v(d.total)} devices (${v(d.target?.kind)}${d.target?.kind === 'group' ? ` ${v(d.target.group)}` : ''})`,
  BulkCommandDevicesListed: (d) => `Bulk command ${v(d.bulkId)}: ${v(d.udids?.length)} more devices listed`,
  BulkCommandProgressed: (d) => `Bulk command ${v(d.bulkId)} through ${v(d.through)} devices (${v(d.queued)} queued, ${v(d.alreadyQueued)} already queued, ${v(d.refused?.length)} refused)`,
  BulkCommandCompleted: (d) => `Bulk command ${v(d.bulkId)} completed: ${v(d.queued)} queued, ${v(d.alreadyQueued)} already queued, ${v(d.refused)} refused`,
  BulkCommandIndexed: (d) => `Bulk command ${v(d.bulkId)} indexed`,
  BulkCommandIndexEntryClosed: (d) => `Bulk command ${v(d.bulkId)} index entry closed`,
  ApiTokenCreated: (d) => `API token ${v(d.tokenId)} (${v(d.role)}, ${v(d.name)}${d.username !== undefined ? ` for ${v(d.username)}` : ''}) created${by(d.createdBy)}`,
  ApiTokenRevoked: (d) => `API token ${v(d.tokenId)} revoked${by(d.revokedBy)}`,
  ApiAccessDenied: (d) => `Admin API call ${v(d.method)} ${v(d.route)} refused (${v(d.reason)}) from ${v(d.remoteAddress)}${d.tokenId !== undefined ? ` with ${v(d.role)} token ${v(d.tokenId)}` : ''}`,
  IdempotentResponseRecorded: (d) => `Answer ${v(d.status)} to ${v(d.operationId)} kept for its Idempotency-Key`,
  // Enrollments.
  EnrollmentStarted: (d) => `Enrollment ${v(d.enrollmentId)} started (${v(d.method)})${optional(' for user ', d.user)}${optional(', group ', d.group)}`,
  EnrollmentDeviceAttributesReceived: (d) => `Enrollment ${v(d.enrollmentId)} received device attributes from ${v(d.attributes?.udid)}`,
  EnrollmentProfileServed: (d) => `Enrollment ${v(d.enrollmentId)} served the ${v(d.profile)} profile${d.signed ? ', signed' : ''}${d.encrypted ? ', encrypted' : ''}`,
  EnrollmentIdentityIssued: (d) => `Enrollment ${v(d.enrollmentId)} issued identity certificate ${short(d.certificateSha256)}`,
  EnrollmentDeviceAuthenticated: (d) => `Enrollment ${v(d.enrollmentId)} completed by device ${v(d.udid)}`,
  EnrollmentQuarantined: (d) => `Enrollment ${v(d.enrollmentId)} quarantined for approval`,
  EnrollmentApproved: (d) => `Enrollment ${v(d.enrollmentId)} approved${by(d.approvedBy)}`,
  EnrollmentRejected: (d) => `Enrollment ${v(d.enrollmentId)} rejected${by(d.rejectedBy)}${optional(': ', d.reason)}`,
  EnrollmentTokenCreated: (d) => `Enrollment token ${v(d.tokenId)} created${by(d.createdBy)} (up to ${v(d.maxUses)} uses, expires ${v(d.expiresAt)})`,
  EnrollmentTokenRedeemed: (d) => `Enrollment token ${v(d.tokenId)} redeemed (use ${v(d.use)}) for enrollment ${v(d.enrollmentId)}`,
  EnrollmentTokenRevoked: (d) => `Enrollment token ${v(d.tokenId)} revoked${by(d.revokedBy)}`,
  ProfileServiceChallengeIssued: (d) => `Profile service challenge issued for enrollment ${v(d.enrollmentId)}`,
  ProfileServiceChallengeRedeemed: (d) => `Profile service challenge redeemed by device ${v(d.udid)} for enrollment ${v(d.enrollmentId)}`,
  ScepChallengeIssued: (d) => `SCEP challenge issued for enrollment ${v(d.enrollmentId)}`,
  ScepChallengeConsumed: (d) => `SCEP challenge consumed for enrollment ${v(d.enrollmentId)}`,
  RenewalChallengeIssued: (d) => `Identity renewal challenge issued for device ${v(d.udid)}`,
  RenewalChallengeConsumed: (d) => `Identity renewal challenge consumed by device ${v(d.udid)}`,
  // Certificates.
  CertificateBound: (d) => `Certificate ${short(d.certificateHash)} bound to device ${v(d.udid)}`,
  CertificateRetired: (d) => `Certificate ${short(d.certificateHash)} retired from device ${v(d.udid)}`,
  CertificateRevoked: (d) => `Certificate ${short(d.sha256)} revoked${by(d.revokedBy)} (${v(d.reason)})`,
  CertificateIssued: (d) => `Certificate ${short(d.sha256)} issued via ${v(d.via)}${optional(' for enrollment ', d.enrollmentId)}${optional(' to device ', d.udid)}`,
  PushCertificateInstalled: (d) => `Push certificate for ${v(d.topic)} installed${by(d.installedBy)} (expires ${v(d.notAfter)})`,
  DeviceIdentityRefused: (d) => `Device request refused (${v(d.reason)}) from ${v(d.remoteAddress)}`,
  // Groups, library, users.
  DeviceGroupCreated: (d) => `Device group ${v(d.name)} created${by(d.createdBy)}${d.quarantine ? ' (quarantine on)' : ''}`,
  DeviceGroupQuarantineChanged: (d) => `Device group ${v(d.name)} quarantine turned ${d.quarantine ? 'on' : 'off'}${by(d.changedBy)}`,
  DeviceGroupMemberAdded: (d) => `Device ${v(d.udid)} added to group ${v(d.name)}${by(d.addedBy)}`,
  DeviceGroupMemberRemoved: (d) => `Device ${v(d.udid)} removed from group ${v(d.name)}${by(d.removedBy)}`,
  DeviceGroupProfileAssigned: (d) => `Profile ${v(d.profile?.payloadIdentifier)} assigned to group ${v(d.name)}${by(d.assignedBy)}`,
  DeviceGroupProfileUnassigned: (d) => `Profile ${v(d.payloadIdentifier)} unassigned from group ${v(d.name)}${by(d.unassignedBy)}`,
  DeviceGroupAppAssigned: (d) => `App ${v(d.app?.bundleIdentifier)} assigned to group ${v(d.name)}${by(d.assignedBy)}`,
  DeviceGroupAppUnassigned: (d) => `App ${v(d.bundleIdentifier)} unassigned from group ${v(d.name)}${by(d.unassignedBy)}`,
  DeviceGroupDeleted: (d) => `Device group ${v(d.name)} deleted${by(d.deletedBy)}`,
  DirectoryEntryAdded: (d) => `Directory entry ${v(d.key)} added`,
  LibraryProfileUploaded: (d) => `Library profile ${v(d.profile?.payloadIdentifier)} uploaded${by(d.uploadedBy)}`,
  LibraryProfileRemoved: (d) => `Library profile ${v(d.payloadIdentifier)} removed${by(d.removedBy)}`,
  UserCreated: (d) => `User ${v(d.username)} created${by(d.createdBy)}`,
  UserPasswordChanged: (d) => `Password of user ${v(d.username)} changed${by(d.changedBy)}`,
  UserDisabled: (d) => `User ${v(d.username)} disabled${by(d.disabledBy)}`,
  UserEnabled: (d) => `User ${v(d.username)} enabled${by(d.enabledBy)}`,
  UserDefaultGroupChanged: (d) => `Default group of user ${v(d.username)} set to ${d.group ? v(d.group) : 'none'}${by(d.changedBy)}`,
  BlobStored: (d) => `Stored ${v(d.mediaType)} content ${short(d.sha256)} (${v(d.size)} bytes)`,
  AutomationCheckpointed: (d) => `Automation checkpoint at position ${v(d.position)}`,
};

const REPORTED: ReadonlyMap<string, string> = new Map(RESULT_KINDS.map((kind) => [`${kind}Reported`, kind]));

/** Every event type the summaries know, reports included. */
export const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set([...Object.keys(SUMMARIES), ...REPORTED.keys()]);

/** A short sentence for an auditor; a generic one for a type this version does not know. */
export function summarize(type: string, data: unknown): string {
  const kind = REPORTED.get(type);
  if (kind !== undefined) return `${kind} reported`;
  const summary = (SUMMARIES as Readonly<Record<string, (data: never) => string>>)[type];
  const fields = (data !== null && typeof data === 'object' ? data : {}) as never;
  if (summary === undefined || !Object.prototype.hasOwnProperty.call(SUMMARIES, type)) return `${v(type)} recorded`;
  try {
    return summary(fields);
  } catch {
    // Malformed data (an older or broken writer) must not stop the audit trail.
    return `${v(type)} recorded`;
  }
}
