import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { handleCommand } from '../../application/command-handling.js';
import { loadDeviceState } from '../../application/mdm/device-binding.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Logger } from '../../application/ports/logger.js';
import { pushCertificateStatus } from '../../application/push/push-certificate-status.js';
import { PushCoordinator } from '../../application/push/push-coordinator.js';
import type { StateCache } from '../../application/state-cache.js';
import { deviceDecider, deviceStreamId, type DeviceState } from '../../domain/device/device.js';
import { awaitingApproval } from '../../domain/device/quarantine.js';
import type { Config } from '../config/config.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { createApnsPushSender, type ApnsPushSender } from './apns-push-sender.js';
import { pushMetrics } from './push-metrics-adapter.js';
import { resolvePushCredentials, type PushCredentialSourceKind } from './push-credential-source.js';

export interface PushWiring {
  readonly coordinator: PushCoordinator;
  readonly sender: ApnsPushSender;
  /** Where the certificate came from: MDM_PUSH_* files, or the data directory (`mdm push upload`). */
  readonly source: PushCredentialSourceKind;
  close(): Promise<void>;
}

/**
 * The push side, when there is a push certificate (MDM_PUSH_* files, or one uploaded into the data
 * directory): the APNs sender and the coordinator that decides when to wake whom, reading devices
 * from the store. Without a certificate devices are not woken (they still check in on their own),
 * and the log says so once.
 */
export async function wirePush(config: Config, deps: { store: EventStore; cache: StateCache<DeviceState>; clock: Clock; logger: Logger; metrics: MetricsRegistry }): Promise<PushWiring | undefined> {
  const { logger, clock } = deps;
  const [credentials, caPem] = await Promise.all([
    resolvePushCredentials(config, logger),
    config.apns.caFile ? readFile(config.apns.caFile, 'utf8') : Promise.resolve(undefined),
  ]);
  if (!credentials) {
    logger.warn("no push certificate ('mdm push csr' and 'mdm push upload', or MDM_PUSH_CERT_FILE/MDM_PUSH_KEY_FILE or MDM_PUSH_P12_FILE): devices will not be woken by APNs");
    return undefined;
  }
  const { certPem, keyPem, source, location } = credentials;
  const sender = await createApnsPushSender({ certPem, keyPem, url: config.apns.url, ...(caPem ? { caPem } : {}), logger, clock });
  const status = pushCertificateStatus(sender.certificate, clock.now());
  logger[status.status === 'ok' ? 'info' : 'warn']('push certificate', { ...status, source, location });

  deps.metrics.gauge('mdm_push_certificate_not_after_seconds', 'When the push certificate expires (Unix time): renew before, or every device must re-enroll.', () => sender.certificate.notAfter.getTime() / 1000);
  const coordinator = new PushCoordinator({
    sender,
    clock,
    logger,
    metrics: pushMetrics(deps.metrics),
    pushTarget: async (udid) => {
      const state = await loadDeviceState(deps.store, deps.cache, udid);
      // Every push path (queued, pushable, re-push, retry) asks here: a quarantined device is never woken.
      if (state.status !== 'enrolled' || !state.push || awaitingApproval(state)) return undefined;
      return { udid, ...state.push, ...(state.pushTokenInvalidatedAt ? { tokenInvalidatedAt: new Date(state.pushTokenInvalidatedAt) } : {}) };
    },
    stillWaiting: async (udid) => (await loadDeviceState(deps.store, deps.cache, udid)).queue.queue.some((c) => c.status !== 'deferred'),
    onTokenInvalidated: async (udid, at, pushToken) => {
      await handleCommand(deps.store, deviceDecider, deviceStreamId(udid), {
        commandId: randomUUID(),
        command: { type: 'InvalidatePushToken', udid, pushToken, at: at.toISOString() },
        actor: { kind: 'system', id: 'apns' },
        occurredAt: clock.now().toISOString(),
      }, { cache: deps.cache });
    },
  });
  return {
    coordinator,
    sender,
    source,
    close: async () => {
      coordinator.close();
      await sender.close();
    },
  };
}
