/**
 * Sends MDM wake-up pushes through APNs. One push asks one device to check in (`Status: Idle`);
 * it carries no command. The adapter answers every push with an outcome and never throws for a
 * single push's failure, so callers decide retries, alarms and token invalidation in one place.
 */

/** Where and how to wake one device, from its latest TokenUpdate. */
export interface MdmPush {
  readonly udid: string;
  /** The APNs device token, hex (TokenUpdate `Token`). */
  readonly pushToken: string;
  /** TokenUpdate `PushMagic`: the only content of the push body. */
  readonly pushMagic: string;
  /** TokenUpdate `Topic`: must equal the push certificate's UID. */
  readonly topic: string;
}

export type PushOutcome =
  /** APNs accepted the push (200). Not proof that the device is online: APNs stores and forwards. */
  | { readonly kind: 'delivered'; readonly udid: string; readonly apnsId?: string }
  /** 410: the token is no longer valid since `at` (APNs' timestamp; the send time when absent). */
  | { readonly kind: 'unregistered'; readonly udid: string; readonly at: Date; readonly reason: string }
  /**
   * 400 BadDeviceToken (`status` 400), or a token that is not hex and was never sent (no status).
   * With MDM's production-only tokens, APNs' answer usually means the wrong environment.
   */
  | { readonly kind: 'bad-device-token'; readonly udid: string; readonly reason: string; readonly status?: number }
  /**
   * The server's set-up is wrong, not the device: topic not in the certificate, certificate refused
   * or for the wrong environment, a request APNs cannot parse. `status` is absent when found locally.
   */
  | { readonly kind: 'configuration-fault'; readonly udid: string; readonly reason: string; readonly status?: number }
  /** 429, 5xx, network failures and timeouts: try again later. */
  | { readonly kind: 'retryable'; readonly udid: string; readonly reason: string; readonly status?: number }
  /** Not sent: pushes to this topic are held back after a configuration fault. */
  | { readonly kind: 'circuit-open'; readonly udid: string; readonly topic: string };

export type PushOutcomeKind = PushOutcome['kind'];

export interface PushSender {
  /** One outcome per push, in the same order. Rejects only on misuse (e.g. after close). */
  send(pushes: readonly MdmPush[]): Promise<PushOutcome[]>;
}

/** What the application may know about the push certificate, for logs, health and expiry warnings. */
export interface PushCertificateInfo {
  /** The APNs topic: the certificate subject's UID (0.9.2342.19200300.100.1.1). */
  readonly topic: string;
  /** The subject as one line, e.g. "UID=com.apple.mgmt.External.…, CN=APSP:…, C=US". */
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex of the serial number. */
  readonly serialNumber: string;
  /** SHA-256 of the certificate's DER, lower-case hex. */
  readonly sha256: string;
}

export const PUSH_SENDER = Symbol.for('mdm.PushSender');
