/**
 * One device as the inventory read model keeps it (collection `inventory`, id = UDID). Field names
 * are stable: queries filter and sort on them, compliance rules read them, and the admin API returns
 * them. Fields are omitted (never null) when the device has not told us.
 *
 * Every time is ISO 8601 UTC from the events themselves, never the clock of the projection.
 */

export type EnrollmentState =
  /** Authenticate seen; no TokenUpdate yet. */
  | 'authenticated'
  | 'enrolled'
  /** Waiting for an admin's decision: checks in, gets no commands. */
  | 'quarantined'
  | 'rejected'
  /** Told to unenroll (revoked identity, rejection, admin request); no CheckOut seen yet. */
  | 'unenrolling'
  | 'checked-out';

export type PushState =
  /** No push token yet. */
  | 'none'
  | 'active'
  /** APNs said the token is gone: the device cannot be woken until its next TokenUpdate. */
  | 'invalidated';

export interface InventoryApp {
  readonly identifier: string;
  readonly name?: string;
  readonly version?: string;
  readonly shortVersion?: string;
  readonly bundleSize?: number;
}

export interface InventoryProfile {
  readonly identifier: string;
  readonly uuid: string;
  readonly displayName?: string;
  readonly organization?: string;
  readonly managed?: boolean;
}

export interface InventoryProvisioningProfile {
  readonly name: string;
  readonly uuid: string;
  readonly expiresAt?: string;
}

export interface InventoryCertificate {
  readonly commonName?: string;
  readonly isIdentity?: boolean;
  /** SHA-256 of the certificate's DER, when the report carried it. */
  readonly sha256?: string;
  readonly notAfter?: string;
}

/** A list the device reported, with when it was last reported and last changed. */
export interface ReportedList<Item> {
  readonly items: readonly Item[];
  readonly reportedAt: string;
  /** True when the device's answer was cut to the recorded bound. */
  readonly truncated?: boolean;
}

export interface InventorySecurity {
  readonly passcodePresent?: boolean;
  readonly passcodeCompliant?: boolean;
  readonly passcodeCompliantWithProfiles?: boolean;
  /** Apple's HardwareEncryptionCaps: 1 block-level, 2 file-level, 3 both. */
  readonly hardwareEncryptionCaps?: number;
  /** macOS FileVault. */
  readonly fileVaultEnabled?: boolean;
  readonly reportedAt: string;
}

/**
 * When each compliance-relevant fact took its current value: a rule's "non-compliant since" is the
 * later of this and the time the policy took effect.
 */
export interface FactsChangedAt {
  readonly passcode?: string;
  readonly encryption?: string;
  readonly osVersion?: string;
  readonly profiles?: string;
  readonly apps?: string;
  readonly roaming?: string;
  readonly certificates?: string;
}

export interface InventoryDocument {
  readonly udid: string;

  // Identity (DeviceInformation, or the Authenticate message until the first report).
  readonly serialNumber?: string;
  readonly model?: string;
  readonly modelName?: string;
  readonly productName?: string;
  readonly deviceName?: string;
  readonly osVersion?: string;
  readonly buildVersion?: string;
  /** osVersion with each component zero-padded to 5 digits ("00017.00004.00001"): range filters compare it. */
  readonly osVersionKey?: string;

  // Hardware and cellular (DeviceInformation).
  readonly capacityGb?: number;
  readonly availableCapacityGb?: number;
  /** 0.0 to 1.0. */
  readonly batteryLevel?: number;
  readonly imei?: string;
  readonly meid?: string;
  readonly iccid?: string;
  readonly modemFirmwareVersion?: string;
  readonly wifiMac?: string;
  readonly bluetoothMac?: string;
  readonly currentCarrierNetwork?: string;
  readonly subscriberCarrierNetwork?: string;
  readonly carrierSettingsVersion?: string;
  readonly phoneNumber?: string;
  readonly dataRoamingEnabled?: boolean;
  readonly voiceRoamingEnabled?: boolean;
  readonly supervised?: boolean;
  readonly informationReportedAt?: string;

  // Enrollment.
  readonly enrollmentState: EnrollmentState;
  readonly enrollmentId?: string;
  readonly user?: string;
  /** The group the enrollment named. */
  readonly enrollmentGroup?: string;
  /** Device-group memberships, sorted. */
  readonly groups: readonly string[];
  /** Comma-joined `groups` with leading and trailing commas (",a,b,"): scalar for filters. */
  readonly groupsKey: string;
  /** SHA-256 of the identity certificate the device is bound to. */
  readonly certificateHash?: string;
  readonly firstSeenAt: string;
  readonly enrolledAt?: string;
  readonly checkedOutAt?: string;
  /** Last contact: any check-in or report we recorded (DeviceSeen, reports, enrollment messages). */
  readonly lastSeenAt: string;

  // Push.
  readonly pushState: PushState;
  readonly pushTopic?: string;
  readonly pushUpdatedAt?: string;

  // Commands.
  /** Queued and not yet finished (acknowledged, failed, expired or cancelled). */
  readonly pendingCommands: number;
  readonly failedCommands: number;
  readonly lastCommandAt?: string;

  // Reports.
  readonly security?: InventorySecurity;
  readonly apps?: ReportedList<InventoryApp>;
  readonly profiles?: ReportedList<InventoryProfile>;
  readonly provisioningProfiles?: ReportedList<InventoryProvisioningProfile>;
  readonly certificates?: ReportedList<InventoryCertificate>;
  readonly appCount?: number;
  readonly profileCount?: number;
  /** Earliest notAfter among the device's reported certificates: "expiring within N days" filters on it. */
  readonly nextCertificateExpiry?: string;

  /** The address a VPN gateway leased to the device, while the lease lasts. */
  readonly vpnAddress?: string;

  readonly factsChangedAt: FactsChangedAt;
  /** Time of the last event that changed this document. */
  readonly updatedAt: string;
}

/** "17.4.1" → "00017.00004.00000"; undefined when the version has no numeric components. */
export function osVersionKey(version: string): string | undefined {
  const parts = version.split('.').slice(0, 3).map((p) => /^\d{1,5}$/.exec(p.trim())?.[0]);
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  while (parts.length < 3) parts.push('0');
  return parts.map((p) => p!.padStart(5, '0')).join('.');
}
