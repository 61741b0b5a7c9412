import 'reflect-metadata';
import { Container } from 'inversify';
import type { Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { DeviceCheckIn } from '../application/device/device-check-in.js';
import { CERTIFICATE_AUTHORITY, type CertificateAuthority } from '../application/ports/certificate-authority.js';
import { CLOCK, systemClock, type Clock } from '../application/ports/clock.js';
import { EVENT_STORE, type EventStore } from '../application/ports/event-store.js';
import { LOGGER, type Logger } from '../application/ports/logger.js';
import { SECRET_BOX, type SecretBox } from '../application/ports/secret-box.js';
import type { Config } from './config/config.js';
import { describeConfig } from './config/load-config.js';
import { instrumentEventStore } from './eventstore/instrumented-event-store.js';
import { openEventStore } from './eventstore/open-event-store.js';
import { AdminHttp } from './http/admin/admin-http.js';
import { DeviceHttp } from './http/device/device-http.js';
import { listen, type Listener } from './http/listener.js';
import { Lifecycle } from './lifecycle.js';
import { MetricsRegistry, registerProcessMetrics } from './metrics/registry.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from './pki/aes-gcm-secret-box.js';
import { FileCertificateAuthority } from './pki/file-certificate-authority.js';
import { ensurePrivateDirectory } from './pki/private-files.js';
import { deviceTlsOptions, deviceTlsRenewal } from './http/device/device-tls.js';
import { adminTlsOptions } from './http/admin/admin-tls.js';
import { CONFIG, DEVICE_CHECK_IN, LIFECYCLE, METRICS } from './tokens.js';

export interface RunningServer {
  readonly adminUrl: string;
  readonly deviceUrl: string;
  /** Graceful: readiness off, stop accepting, finish in-flight requests (bounded), close stores. */
  stop(): Promise<void>;
}

/**
 * The one place that knows every concrete class. It opens the stores and keys (which needs I/O, so
 * it happens before binding), binds everything in one container, and starts the listeners.
 */
export async function startServer(config: Config, logger: Logger, clock: Clock = systemClock): Promise<RunningServer> {
  logger.info('starting', { config: describeConfig(config) });
  await ensurePrivateDirectory(config.dataDir);

  const secretsKey = await loadOrCreateSecretsKey(config.secretsKeyFile, { create: config.createSecretsKey });
  if (secretsKey.created) logger.info('secrets key created', { path: secretsKey.path });
  if (secretsKey.insecureMode) logger.warn('secrets key file is accessible by group or others; chmod 600 it', { path: secretsKey.path });

  const ca = await FileCertificateAuthority.openOrCreate(join(config.dataDir, 'ca'), { logger, clock });
  const metrics = new MetricsRegistry();
  registerProcessMetrics(metrics);
  const opened = await openEventStore(config, logger);
  const eventStore = instrumentEventStore(opened.store, metrics, opened.adapter);

  const container = new Container();
  container.bind<Config>(CONFIG).toConstantValue(config);
  container.bind<Logger>(LOGGER).toConstantValue(logger);
  container.bind<Clock>(CLOCK).toConstantValue(clock);
  container.bind<MetricsRegistry>(METRICS).toConstantValue(metrics);
  container.bind<Lifecycle>(LIFECYCLE).toConstantValue(new Lifecycle());
  container.bind<EventStore>(EVENT_STORE).toConstantValue(eventStore);
  container.bind<SecretBox>(SECRET_BOX).toConstantValue(new AesGcmSecretBox(secretsKey.key));
  container.bind<CertificateAuthority>(CERTIFICATE_AUTHORITY).toConstantValue(ca);
  container
    .bind<DeviceCheckIn>(DEVICE_CHECK_IN)
    .toDynamicValue((ctx) => new DeviceCheckIn(ctx.get<EventStore>(EVENT_STORE), ctx.get<SecretBox>(SECRET_BOX), ctx.get<Clock>(CLOCK)))
    .inSingletonScope();
  container.bind(AdminHttp).toSelf().inSingletonScope();
  container.bind(DeviceHttp).toSelf().inSingletonScope();

  const listeners: Listener[] = [];
  try {
    const deviceTls = await deviceTlsOptions(config, ca, clock, logger);
    const adminTls = adminTlsOptions(config);
    const admin = await listen(container.get(AdminHttp).app(), config.admin.host, config.admin.port, adminTls);
    listeners.push(admin);
    const device = await listen(container.get(DeviceHttp).app(), config.device.host, config.device.port, deviceTls);
    listeners.push(device);
    const renewal = deviceTlsRenewal(config, ca, clock, logger, device.server as HttpsServer);
    logger.info('listening', { admin: admin.url, device: device.url, publicUrl: config.device.publicUrl });

    let stopping: Promise<void> | undefined;
    return {
      adminUrl: admin.url,
      deviceUrl: device.url,
      stop: () =>
        (stopping ??= (async () => {
          container.get<Lifecycle>(LIFECYCLE).beginShutdown();
          renewal.stop();
          logger.info('shutting down', { graceMs: config.shutdownTimeoutMs });
          await Promise.all(listeners.map((l) => l.close(config.shutdownTimeoutMs)));
          await eventStore.close();
          logger.info('stopped');
        })()),
    };
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close(0)));
    await eventStore.close();
    throw error;
  }
}
