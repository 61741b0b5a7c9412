import type { PushOutcome } from '../../application/ports/push-sender.js';

/**
 * APNs' answers mapped to what the server should do about them. Device-level: 410 (the token is
 * gone). Server-level (configuration): the certificate, the topic, the environment, or a request
 * APNs cannot parse. Passing: 429 and 5xx.
 */

// Apple documents the timestamp in milliseconds since the epoch; anything outside these bounds is
// not one.
const EARLIEST_TIMESTAMP = Date.UTC(2015, 0, 1);
const LATEST_SKEW_MS = 7 * 24 * 60 * 60 * 1000;

export interface ApnsAnswer {
  readonly status: number;
  readonly reason?: string;
  readonly timestamp?: unknown;
  readonly apnsId?: string;
}

export function outcomeOfAnswer(udid: string, answer: ApnsAnswer, now: Date): PushOutcome {
  const { status } = answer;
  const reason = typeof answer.reason === 'string' && answer.reason !== '' ? answer.reason : `HTTP ${status}`;
  if (status === 200) return { kind: 'delivered', udid, ...(answer.apnsId ? { apnsId: answer.apnsId } : {}) };
  if (status === 410) return { kind: 'unregistered', udid, at: unregisteredAt(answer.timestamp, now), reason };
  if (status === 400 && reason === 'BadDeviceToken') return { kind: 'bad-device-token', udid, reason, status };
  if (status === 429 || status >= 500) return { kind: 'retryable', udid, reason, status };
  // Every other 4xx fails alike for every device: 400 DeviceTokenNotForTopic / TopicDisallowed /
  // BadTopic / BadExpirationDate / BadPriority / PayloadEmpty …, 403 BadCertificate /
  // BadCertificateEnvironment / Forbidden / provider-token reasons, 404 BadPath, 405, 413.
  if (status >= 400 && status < 500) return { kind: 'configuration-fault', udid, reason, status };
  return { kind: 'retryable', udid, reason, status };
}

export function outcomeOfTransportError(udid: string, message: string): PushOutcome {
  if (/timeout/i.test(message)) return { kind: 'retryable', udid, reason: 'Timeout' };
  if (/ECONNREFUSED/.test(message)) return { kind: 'retryable', udid, reason: 'ConnectionRefused' };
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return { kind: 'retryable', udid, reason: 'HostNotFound' };
  return { kind: 'retryable', udid, reason: 'NetworkError' };
}

function unregisteredAt(timestamp: unknown, now: Date): Date {
  const ms = typeof timestamp === 'string' && /^\d+$/.test(timestamp) ? Number(timestamp) : timestamp;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return now;
  if (ms < EARLIEST_TIMESTAMP || ms > now.getTime() + LATEST_SKEW_MS) return now;
  return new Date(ms);
}
