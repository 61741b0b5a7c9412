import apn from '@parse/node-apn';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { MdmPush, PushCertificateInfo, PushOutcome, PushSender } from '../../application/ports/push-sender.js';
import { pushCertificateStatus } from '../../application/push/push-certificate-status.js';
import { parseApnsUrl, type ApnsEndpoint } from './apns-endpoint.js';
import { outcomeOfAnswer, outcomeOfTransportError } from './apns-response.js';
import { mdmNotification } from './mdm-notification.js';
import { PushCertificateError, readPushCertificate } from './push-certificate.js';
import { refusedPush } from './push-validation.js';

export interface ApnsPushSenderOptions {
  /** The MDM push certificate (PEM; a chain may follow the leaf). */
  readonly certPem: string;
  /** Its private key, unencrypted PEM. */
  readonly keyPem: string;
  /** MDM_APNS_URL; Apple's production host when absent. Anything else is a stand-in. */
  readonly url?: string;
  /** MDM_APNS_CA_FILE's content: the CA to trust for a stand-in. Public roots otherwise. */
  readonly caPem?: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How long APNs keeps trying to deliver a push to an offline device. Default one day. */
  readonly expirationSeconds?: number;
  /** Per-request deadline. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Most requests under way at once on the one HTTP/2 connection. Default 100. */
  readonly concurrency?: number;
}

export interface ApnsPushSender extends PushSender {
  readonly certificate: PushCertificateInfo;
  readonly endpoint: ApnsEndpoint;
  /** Closes the HTTP/2 session; later sends reject. */
  close(): Promise<void>;
}

const DAY_SECONDS = 24 * 60 * 60;
const SHUTDOWN_WAIT_MS = 1_000;

/**
 * PushSender over APNs' HTTP/2 API with certificate authentication, through @parse/node-apn: one
 * request per push, each answered with an outcome. node-apn's own retries are off
 * (connectionRetryLimit 0): the push policy retries, with backoff, in one place.
 */
export function createApnsPushSender(options: ApnsPushSenderOptions): ApnsPushSender {
  const { logger, clock } = options;
  const certificate = readPushCertificate(options.certPem, options.keyPem, clock.now());
  const endpoint = parseApnsUrl(options.url);
  const expirationSeconds = positiveInteger(options.expirationSeconds ?? DAY_SECONDS, 'expirationSeconds');
  const concurrency = positiveInteger(options.concurrency ?? 100, 'concurrency');
  const provider = createProvider(options, endpoint, positiveInteger(options.requestTimeoutMs ?? 10_000, 'requestTimeoutMs'));
  let closed = false;

  if (options.caPem && endpoint.isApple) {
    logger.warn('MDM_APNS_CA_FILE replaces the public roots: Apple\'s certificate will not verify; it is meant for a stand-in only');
  }
  const status = pushCertificateStatus(certificate, clock.now());
  if (status.status === 'expiring') logger.warn(status.message, { topic: certificate.topic, notAfter: status.notAfter });
  logger.info('APNs push sender ready', {
    topic: certificate.topic,
    notAfter: certificate.notAfter.toISOString(),
    apns: `${endpoint.address}:${endpoint.port}`,
    ...(endpoint.isApple ? {} : { standIn: true }),
  });

  async function sendOne(push: MdmPush): Promise<PushOutcome> {
    const refused = refusedPush(push, certificate.topic);
    if (refused) return refused;
    const now = clock.now();
    const notification = mdmNotification(push, Math.floor(now.getTime() / 1000) + expirationSeconds);
    try {
      const result = await provider.send(notification, push.pushToken.toLowerCase());
      const sent = result.sent[0] as (apn.ResponseSent & { 'apns-id'?: string }) | undefined;
      if (sent) return outcomeOfAnswer(push.udid, { status: 200, apnsId: sent['apns-id'] }, now);
      return outcomeOfFailure(push.udid, result.failed[0], now);
    } catch (error) {
      return outcomeOfTransportError(push.udid, messageOf(error));
    }
  }

  return {
    certificate,
    endpoint,
    async send(pushes) {
      if (closed) throw new Error('the APNs push sender is closed');
      const outcomes = await mapConcurrently(pushes, concurrency, sendOne);
      for (const outcome of outcomes) {
        if (outcome.kind !== 'delivered') logger.debug('APNs push not delivered', { ...outcome });
      }
      return outcomes;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Provider.shutdown() takes a callback (its return value is not the client's promise), and
      // node-apn waits for the close of a session that may already be destroyed, a close that
      // never comes: its timers are stopped before that wait, so a bounded wait is enough.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
        provider.shutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

function createProvider(options: ApnsPushSenderOptions, endpoint: ApnsEndpoint, requestTimeout: number): apn.Provider {
  try {
    return new apn.Provider({
      cert: options.certPem,
      key: options.keyPem,
      ...(options.caPem ? { ca: [options.caPem] } : {}),
      production: true,
      address: endpoint.address,
      port: endpoint.port,
      connectionRetryLimit: 0,
      requestTimeout,
    });
  } catch (error) {
    // node-apn checks the certificate for Apple's APNs environment extension, and derives the
    // environment from the address: production for api.push.apple.com, sandbox for anything else.
    throw new PushCertificateError(
      `node-apn refused the push certificate: ${messageOf(error)} (an APNs certificate carries 1.2.840.113635.100.6.3.2 for production${endpoint.isApple ? '' : ' and 1.2.840.113635.100.6.3.1 for the sandbox environment node-apn assumes for a stand-in'})`,
      { cause: error },
    );
  }
}

function outcomeOfFailure(udid: string, failure: apn.ResponseFailure | undefined, now: Date): PushOutcome {
  if (!failure) return { kind: 'retryable', udid, reason: 'NoAnswer' };
  const status = Number(failure.status);
  if (Number.isInteger(status) && status > 0) {
    return outcomeOfAnswer(udid, { status, reason: failure.response?.reason, timestamp: failure.response?.timestamp }, now);
  }
  return outcomeOfTransportError(udid, messageOf(failure.error));
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'error' in error) return messageOf((error as { error: unknown }).error);
  return String(error);
}
