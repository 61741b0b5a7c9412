import type { PushCertificateInfo } from '../ports/push-sender.js';

/** Apple's push certificates last a year; renewing late means every device must re-enroll. */
export const PUSH_CERTIFICATE_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export type PushCertificateStatus =
  | { readonly status: 'ok'; readonly topic: string; readonly notAfter: string; readonly daysLeft: number }
  | { readonly status: 'expiring'; readonly topic: string; readonly notAfter: string; readonly daysLeft: number; readonly message: string }
  | { readonly status: 'expired'; readonly topic: string; readonly notAfter: string; readonly message: string };

/** ok, expiring (within 30 days: warn) or expired, with a message an operator can act on. */
export function pushCertificateStatus(info: PushCertificateInfo, now: Date, warningDays = PUSH_CERTIFICATE_WARNING_DAYS): PushCertificateStatus {
  const notAfter = info.notAfter.toISOString();
  const remainingMs = info.notAfter.getTime() - now.getTime();
  if (remainingMs <= 0) {
    return {
      status: 'expired',
      topic: info.topic,
      notAfter,
      message: `the push certificate for ${info.topic} expired on ${notAfter}: no device can be pushed; renew it for the same topic at identity.apple.com`,
    };
  }
  const daysLeft = Math.floor(remainingMs / DAY_MS);
  if (remainingMs <= warningDays * DAY_MS) {
    return {
      status: 'expiring',
      topic: info.topic,
      notAfter,
      daysLeft,
      message: `the push certificate for ${info.topic} expires on ${notAfter} (${daysLeft} days): renew it for the same topic (renew, do not create a new one, or every device must re-enroll)`,
    };
  }
  return { status: 'ok', topic: info.topic, notAfter, daysLeft };
}
