import type { JsonObject } from '../../shared/json.js';
import type { QueuedRequest } from './queued-command.js';

export interface ErrorChainEntry {
  readonly errorCode?: number;
  readonly errorDomain?: string;
  readonly localizedDescription?: string;
  readonly usEnglishDescription?: string;
}

export type CommandQueued = {
  readonly type: 'CommandQueued';
  readonly data: {
    readonly commandUuid: string;
    readonly request: QueuedRequest;
    readonly priority: number;
    readonly queuedAt: string;
    readonly expiresAt: string;
    /** Who asked: "<kind>:<id>", e.g. "admin:alice" or "system:post-enrollment". */
    readonly queuedBy: string;
  };
};

/** One hand-out to the device: an attempt, not a final state. */
export type CommandDelivered = { readonly type: 'CommandDelivered'; readonly data: { readonly commandUuid: string; readonly attempt: number; readonly deliveredAt: string } };

export type CommandAcknowledged = { readonly type: 'CommandAcknowledged'; readonly data: { readonly commandUuid: string; readonly acknowledgedAt: string } };

export type CommandFailed = {
  readonly type: 'CommandFailed';
  /** `Undeliverable`: the server could not build it; the others are the device's report. */
  readonly data: { readonly commandUuid: string; readonly status: 'Error' | 'CommandFormatError' | 'Undeliverable'; readonly errorChain: readonly ErrorChainEntry[]; readonly failedAt: string };
};

/** NotNow: kept, handed out again at the device's next Idle. */
export type CommandDeferred = { readonly type: 'CommandDeferred'; readonly data: { readonly commandUuid: string; readonly deferrals: number; readonly deferredAt: string } };

export type CommandExpired = { readonly type: 'CommandExpired'; readonly data: { readonly commandUuid: string; readonly expiredAt: string } };

/** `reenrolled`: the device enrolled anew after its identity ended without a CheckOut. */
export type CancellationReason = 'cancelled' | 'checked-out' | 'unenrolled' | 'reenrolled';

export type CommandCancelled = {
  readonly type: 'CommandCancelled';
  readonly data: { readonly commandUuid: string; readonly reason: CancellationReason; readonly cancelledBy: string; readonly cancelledAt: string };
};

/**
 * A query's typed result, appended only when it differs from the last one of its kind. `kind` is
 * the result's name (DeviceInformation, SecurityInfo, ProfileList, …); the event type is
 * `<kind>Reported`.
 */
export type ResultKind =
  | 'DeviceInformation'
  | 'SecurityInfo'
  | 'ProfileList'
  | 'InstalledApplicationList'
  | 'CertificateList'
  | 'ProvisioningProfileList'
  | 'ManagedApplicationList'
  | 'Restrictions';

export const RESULT_KINDS: readonly ResultKind[] = ['DeviceInformation', 'SecurityInfo', 'ProfileList', 'InstalledApplicationList', 'CertificateList', 'ProvisioningProfileList', 'ManagedApplicationList', 'Restrictions'];

export type ResultReported = {
  readonly type: `${ResultKind}Reported`;
  readonly data: { readonly commandUuid: string; readonly kind: ResultKind; readonly result: JsonObject; readonly fingerprint: string; readonly reportedAt: string };
};

/** Last contact, recorded at most once per interval so idle check-ins do not grow the stream. */
export type DeviceSeen = { readonly type: 'DeviceSeen'; readonly data: { readonly seenAt: string } };

export type QueueEvent = CommandQueued | CommandDelivered | CommandAcknowledged | CommandFailed | CommandDeferred | CommandExpired | CommandCancelled | ResultReported | DeviceSeen;
