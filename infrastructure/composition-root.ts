import { ApiTokens } from '../application/api-tokens/api-tokens.js';
import { commandQueueMetrics } from './mdm-commands/command-queue-metrics.js';
import { BuiltInUserDirectory } from '../application/users/built-in-user-directory.js';
import { BulkCommands } from '../application/commands/bulk-commands.js';
import { AccessDenials } from '../application/api-tokens/access-denials.js';
import { apiAuth } from './http/admin/api-auth.js';
import { ensureInitialAdminToken } from './http/admin/bootstrap-admin-token.js';
import { adminApi } from './http/admin/admin-api.js';
import { IdempotencyRecords } from '../application/idempotency/idempotency-records.js';
import { SelfService } from '../application/self-service/self-service.js';
import { Quarantine } from '../application/enrollment/quarantine.js';
import { ProfileLibrary } from '../application/profile-library/profile-library.js';
import { configurationProfileReader } from './profiles/configuration-profile-reader.js';
import { AuditQueries } from '../application/read-models/audit-queries.js';
import { CommandHistoryQueries } from '../application/read-models/command-history-queries.js';
import { ComplianceQueries } from '../application/read-models/compliance-queries.js';
import { InventoryQueries } from '../application/read-models/inventory-queries.js';
import type { ProjectionStatus } from '../application/read-models/projection-runner.js';
import { ReadModels } from '../application/read-models/read-models.js';
import { CompliancePolicies } from '../application/compliance/compliance-policies.js';
import { startAuditCheckpointing } from './audit/audit-checkpointing.js';
import { openDocumentStore } from './readmodel/open-document-store.js';
import { registerProjectionMetrics } from './readmodel/projection-metrics.js';
import { PROJECTION_SHARDS } from './readmodel/read-model-projections.js';
import { ProjectionWorkers } from './readmodel/projection-workers.js';
import { notifyingEventStore } from './eventstore/notifying-event-store.js';
import 'reflect-metadata';
import { Container } from 'inversify';
import type { Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { CheckInService } from '../application/mdm/check-in-service.js';
import { CommandQueueService } from '../application/mdm/command-queue-service.js';
import { CommandPreparation } from '../application/mdm/command-preparation.js';
import { IdentityRefusals } from '../application/mdm/identity-refusals.js';
import { QueryResults } from '../application/mdm/query-results.js';
import { ReportService } from '../application/mdm/report-service.js';
import { BLOB_STORE, type BlobStore } from '../application/ports/blob-store.js';
import { StateCache } from '../application/state-cache.js';
import type { DeviceState } from '../domain/device/device.js';
import { EventStoreBlobStore } from './blobs/event-store-blob-store.js';
import { wirePush } from './apns/push-wiring.js';
import { EnrollmentTokens } from '../application/enrollment/enrollment-tokens.js';
import { Enrollments } from '../application/enrollment/enrollments.js';
import { EnrollmentAdmission } from '../application/enrollment/enrollment-admission.js';
import { EnrollmentIdentityRecorder } from '../application/enrollment/enrollment-identity-recorder.js';
import { QuarantineNotices } from '../application/enrollment/quarantine-notices.js';
import { DeviceGroups } from '../application/device-groups/device-groups.js';
import { PostEnrollmentAutomation } from '../application/automation/post-enrollment-automation.js';
import type { DeviceGroupState } from '../domain/device-group/device-group.js';
import { enrollmentRoutes } from './http/device/enrollment-routes.js';
import { profileSigner } from './enrollment/profile-signer.js';
import { wireWebEnrollment } from './enrollment/web-enrollment-wiring.js';
import { pkcs12ProfileIdentity } from './enrollment/pkcs12-identity.js';
import { IssuedCertificates } from '../application/certificates/issued-certificates.js';
import { AnyScepChallenge } from './scep/any-scep-challenge.js';
import { StaticScepChallenge } from './scep/static-scep-challenge.js';
import { openOrCreateScepRa } from './scep/scep-registration-authority.js';
import { ScepService } from './scep/scep-service.js';
import { createScepRouter } from './scep/scep-router.js';
import { IdentityRenewal, type RenewalRun } from '../application/certificates/identity-renewal.js';
import type { CertificateRevocations } from '../application/certificates/certificate-revocations.js';
import type { ReleasedCertificate } from '../application/mdm/messages.js';
import { wireCertificates } from './certificates/certificate-lifecycle-wiring.js';
import { renewalProfileBuilder } from './enrollment/renewal-profile.js';
import { crlRoutes } from './http/device/crl-routes.js';
import { crlUrl, withCrlDistributionPoint } from './pki/crl-distribution-point.js';
import { pushCertificateStatus } from '../application/push/push-certificate-status.js';
import { failureRateLimiter } from './http/device/identity/failure-rate-limiter.js';
import { deviceIdentity } from './http/device/identity/device-identity-middleware.js';
import { commandRenderer } from './http/device/mdm/command-renderer.js';
import { mdmRoutes } from './http/device/mdm/mdm-routes.js';
import { certificateNotAfter } from './mdm-commands/certificate-expiry.js';
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
import { PlainHttp } from './http/plain/plain-http.js';
import { listen, type Listener } from './http/listener.js';
import { Lifecycle } from './lifecycle.js';
import { MetricsRegistry, registerProcessMetrics } from './metrics/registry.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from './pki/aes-gcm-secret-box.js';
import { FileCertificateAuthority } from './pki/file-certificate-authority.js';
import { ensurePrivateDirectory } from './pki/private-files.js';
import { deviceTlsOptions, deviceTlsRenewal } from './http/device/device-tls.js';
import { adminTlsOptions } from './http/admin/admin-tls.js';
import { CERTIFICATE_REVOCATIONS, CRL_ROUTES, WEB_ENROLLMENT_ROUTES, ENROLLMENT_ROUTES, SCEP_ROUTES, ADMIN_API_ROUTES, ADMIN_API_PATHS, PROJECTION_STATUS, READINESS_DETAILS, CHECK_IN_SERVICE, COMMAND_QUEUE_SERVICE, CONFIG, DEVICE_STATE_CACHE, LIFECYCLE, MDM_ROUTES, METRICS, REPORT_SERVICE } from './tokens.js';

export interface ReadModelServices {
  readonly inventory: InventoryQueries;
  readonly commandHistory: CommandHistoryQueries;
  readonly audit: AuditQueries;
  readonly compliance: ComplianceQueries;
  readonly compliancePolicies: CompliancePolicies;
  status(): ProjectionStatus[];
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}

export interface RunningServer {
  readonly adminUrl: string;
  readonly deviceUrl: string;
  /** The plain-HTTP listener (SCEP only), when MDM_HTTP_PORT is set. */
  readonly httpUrl?: string;
  /** Use cases for callers embedding the server (tests, tools) until the admin API covers them. */
  readonly services: {
    readonly commandQueue: CommandQueueService;
    /** Revocations (for the quarantine's 'enrollment-rejected', tests) and the certificate job. */
    readonly certificates: { readonly revocations: CertificateRevocations; runJobNow(): Promise<RenewalRun> };
    readonly deviceGroups: DeviceGroups;
    /** Absent with MDM_AUTOMATION=false. */
    readonly automation?: PostEnrollmentAutomation;
    /** Queries over the read models, and the projections' progress (waitFor: read-your-writes). */
    readonly readModels: ReadModelServices;
  };
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

  const ca = await FileCertificateAuthority.openOrCreate(join(config.dataDir, 'ca'), { logger, clock, ...(config.caKeyPassphrase ? { passphrase: config.caKeyPassphrase } : {}) });
  const metrics = new MetricsRegistry();
  registerProcessMetrics(metrics);
  const opened = await openEventStore(config, logger);
  // Appends wake the projection workers, which read the store on connections of their own.
  let wakeProjections = (): void => undefined;
  const eventStore = notifyingEventStore(instrumentEventStore(opened.store, metrics, opened.adapter), () => wakeProjections());

  // What the server issues names the CRL, so relying parties can check revocations.
  const issuingCa = withCrlDistributionPoint(ca, crlUrl(config.http?.publicUrl ?? config.device.publicUrl));
  // The device TLS identity first: it also signs enrollment profiles.
  const deviceTls = await deviceTlsOptions(config, issuingCa, clock, logger).catch(async (error: unknown) => {
    await eventStore.close();
    throw error;
  });
  // Revocations are read before the listeners open (device requests wait for them otherwise).
  const certificates = await wireCertificates({ store: eventStore, clock, logger, crlSigner: ca }).catch(async (error: unknown) => {
    await eventStore.close();
    throw error;
  });
  const releaseCertificate = async (released: ReleasedCertificate): Promise<void> => {
    await certificates.revocations.revoke({ sha256: released.certificateHash, reason: released.reason, actor: { kind: 'device', id: released.udid } });
  };
  const deviceCache = new StateCache<DeviceState>(20_000);
  const resultsTooLarge = metrics.counter('mdm_results_too_large_total', 'Query results left out of the record because one event could not hold them.');
  const push = await wirePush(config, { store: eventStore, cache: deviceCache, clock, logger, metrics }).catch(async (error: unknown) => {
    await certificates.close();
    await eventStore.close();
    throw error;
  });

  const documents = await openDocumentStore(config).catch(async (error: unknown) => {
    await push?.close();
    await certificates.close();
    await eventStore.close();
    throw error;
  });
  const projectionHooks: { onBatch?: (events: number, ms: number, shard: string) => void; onFailure?: (name: string) => void } = {};
  // The read models are folded in worker threads, one per shard: never on the thread serving devices.
  const projections = new ProjectionWorkers(config, PROJECTION_SHARDS, {
    logger,
    onBatch: (events, ms, shard) => projectionHooks.onBatch?.(events, ms, shard),
    onFailure: (name) => projectionHooks.onFailure?.(name),
  });
  Object.assign(projectionHooks, registerProjectionMetrics(metrics, projections));
  wakeProjections = () => projections.noticeAppend();

  // From here on, a failure closes what was opened (timers and subscriptions would keep the process alive).
  const listeners: Listener[] = [];
  let stopAuditCheckpoints: (() => Promise<void>) | undefined;
  let automation: PostEnrollmentAutomation | undefined;
  let quarantineNotices: QuarantineNotices | undefined;
  let bulkCommands: BulkCommands | undefined;
  try {

    const container = new Container();
    container.bind<Config>(CONFIG).toConstantValue(config);
    container.bind<Logger>(LOGGER).toConstantValue(logger);
    container.bind<Clock>(CLOCK).toConstantValue(clock);
    container.bind<MetricsRegistry>(METRICS).toConstantValue(metrics);
    container.bind<Lifecycle>(LIFECYCLE).toConstantValue(new Lifecycle());
    container.bind<EventStore>(EVENT_STORE).toConstantValue(eventStore);
    container.bind<SecretBox>(SECRET_BOX).toConstantValue(new AesGcmSecretBox(secretsKey.key));
    container.bind<CertificateAuthority>(CERTIFICATE_AUTHORITY).toConstantValue(ca);
    container.bind<StateCache<DeviceState>>(DEVICE_STATE_CACHE).toConstantValue(deviceCache);
    const scepRa = await openOrCreateScepRa(ca, join(config.dataDir, 'ca'), { logger, ...(config.caKeyPassphrase ? { passphrase: config.caKeyPassphrase } : {}) });
    const enrollments = new Enrollments(eventStore, clock);
    const enrollmentTokens = new EnrollmentTokens(eventStore, clock, enrollments);
    const deviceGroups = new DeviceGroups(eventStore, clock, new StateCache<DeviceGroupState>(1_000));
    const identityRecorder = new EnrollmentIdentityRecorder(new IssuedCertificates(eventStore, clock), enrollments, clock, logger);
    container.bind(SCEP_ROUTES).toConstantValue(createScepRouter(new ScepService({
      ca: issuingCa,
      ra: scepRa,
      // One-time challenges from enrollment tokens and renewals first, then the static one if configured.
      challenges: new AnyScepChallenge([enrollmentTokens, certificates.renewalChallenges, ...(config.scepChallenge ? [new StaticScepChallenge(config.scepChallenge)] : [])]),
      recorder: identityRecorder,
      logger,
      now: () => clock.now(),
      isRevoked: (sha256) => certificates.revocations.isRevoked(sha256),
    }), { logger }));
    const profileBase = () => push && {
      publicUrl: config.device.publicUrl,
      topic: push.sender.certificate.topic,
      caCertificateDer: ca.certificateDer(),
      organization: config.profile.organization,
      signMessage: config.profile.signMessage,
      pinToCa: config.profile.pinTls,
      ...(config.http ? { scepUrl: `${config.http.publicUrl}/scep` } : {}),
    };
    const profileSigning = await profileSigner(config);
    // Renewal profiles keep SCEP whatever this says: a renewed key should be the device's own.
    const profileIdentity = config.profile.identity === 'pkcs12' ? { identityFor: pkcs12ProfileIdentity({ ca: issuingCa, recorder: identityRecorder, logger }) } : {};
    container.bind(ENROLLMENT_ROUTES).toConstantValue(enrollmentRoutes({ tokens: enrollmentTokens, profileBase, ...profileSigning, ...profileIdentity, logger, organization: config.profile.organization, steps: { enrollments, clock } }));
    container.bind(WEB_ENROLLMENT_ROUTES).toConstantValue(await wireWebEnrollment(config, {
      store: eventStore, secretBox: container.get<SecretBox>(SECRET_BOX), ca, clock, logger, profileBase, ...profileSigning, ...profileIdentity,
      isCertificateRevoked: (sha256) => certificates.revocations.isRevoked(sha256),
      revokeCertificate: (sha256, reason) => certificates.revocations.revoke({ sha256, reason, actor: { kind: 'system', id: 'ota' } }),
    }));
    container.bind<CertificateRevocations>(CERTIFICATE_REVOCATIONS).toConstantValue(certificates.revocations);
    container.bind(CRL_ROUTES).toConstantValue(crlRoutes(() => certificates.revocationList.current(), () => certificates.revocations.loaded));
    container.bind(READINESS_DETAILS).toConstantValue(() => ({
      push: push ? { ...push.coordinator.health(), certificate: { ...pushCertificateStatus(push.sender.certificate, clock.now()), source: push.source } } : { status: 'not-configured' },
      automation: automation?.status() ?? { status: 'disabled' },
    }));
    container.bind(PROJECTION_STATUS).toConstantValue(() => projections.status());
    // The admin API: bearer tokens with roles, every route behind authentication.
    const apiTokens = new ApiTokens(eventStore, clock);
    // In the background: the server starts (and answers /readyz 503) even while the store does not
    // answer; the token is written as soon as it does.
    void (async () => {
      for (let delayMs = 1_000; !container.get<Lifecycle>(LIFECYCLE).shuttingDown; delayMs = Math.min(delayMs * 2, 30_000)) {
        try {
          await ensureInitialAdminToken(config, apiTokens, logger);
          return;
        } catch (error) {
          logger.warn('initial admin token not written yet; retrying', { error, inMs: delayMs });
          await new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref());
        }
      }
    })();
    const accessDenials = new AccessDenials(eventStore, clock);
    const deniedCalls = metrics.counter('mdm_api_denied_total', 'Admin API calls refused (401 unauthenticated, 403 role), by reason.');
    const auth = apiAuth({
      tokens: apiTokens,
      ...(config.adminToken ? { bootstrapToken: config.adminToken } : {}),
      // With a client CA, a gateway token alone is not enough: the gateway must present its certificate.
      ...(config.admin.tls?.clientCaFile ? { clientCertificateRoles: ['gateway'] as const } : {}),
      countDenial: (reason) => deniedCalls.inc({ reason }),
      onDenied: (denial) => {
        const who = denial.principal ? { tokenId: denial.principal.tokenId, role: denial.principal.role } : {};
        logger.warn('admin API call refused', { status: denial.status, reason: denial.reason, method: denial.method, route: denial.route, remoteAddress: denial.remoteAddress, ...who });
        void accessDenials.record({ status: denial.status, reason: denial.reason, method: denial.method, route: denial.route, remoteAddress: denial.remoteAddress, ...who })
          .catch((error: unknown) => logger.error('recording a refused admin API call failed', { error }));
      },
    });
    container.bind<BlobStore>(BLOB_STORE).toDynamicValue((ctx) => new EventStoreBlobStore(ctx.get<EventStore>(EVENT_STORE), ctx.get<SecretBox>(SECRET_BOX))).inSingletonScope();
    container
      .bind<CheckInService>(CHECK_IN_SERVICE)
      .toDynamicValue((ctx) => new CheckInService(ctx.get(EVENT_STORE), ctx.get(SECRET_BOX), ctx.get(CLOCK), ctx.get(DEVICE_STATE_CACHE), {
        // A device that (re)gains push coordinates may have commands waiting since before.
        onPushable: (udid) => push?.coordinator.requestPush(udid),
        onCertificateReleased: releaseCertificate,
        // Rarely asked (a known device with another certificate): worth catching up with the CLI's revocations first.
        revocationOf: async (sha256) => {
          if (!certificates.revocations.isRevoked(sha256)) await certificates.revocations.refresh();
          return certificates.revocations.revocationOf(sha256)?.reason;
        },
        ...(push ? { expectedTopic: push.sender.certificate.topic } : {}),
        admission: new EnrollmentAdmission(eventStore, clock, { all: config.enrollmentQuarantine, required: (group) => deviceGroups.quarantineRequired(group) }, enrollments),
      }))
      .inSingletonScope();
    container
      .bind<ReportService>(REPORT_SERVICE)
      .toDynamicValue((ctx) => new ReportService(ctx.get(EVENT_STORE), ctx.get(CLOCK), ctx.get(DEVICE_STATE_CACHE), new QueryResults(certificateNotAfter), {
        seenIntervalMs: config.device.seenIntervalMs,
        onContact: (udid) => push?.coordinator.markCheckedIn(udid),
        onResultTooLarge: (udid, kind, bytes) => {
          resultsTooLarge.inc({ kind });
          logger.warn('query result too large to record; the acknowledgement was recorded without it', { udid, kind, bytes });
        },
        onCertificateReleased: releaseCertificate,
      }))
      .inSingletonScope();
    container
      .bind<CommandQueueService>(COMMAND_QUEUE_SERVICE)
      .toDynamicValue((ctx) => new CommandQueueService(ctx.get(EVENT_STORE), ctx.get(CLOCK), ctx.get(DEVICE_STATE_CACHE), new CommandPreparation(ctx.get(SECRET_BOX), ctx.get(BLOB_STORE)), {
        ...commandQueueMetrics(metrics),
        onQueued: (udid) => push?.coordinator.requestPush(udid),
      }))
      .inSingletonScope();
    container
      .bind(MDM_ROUTES)
      .toDynamicValue((ctx) => {
        const limiter = failureRateLimiter();
        const refusals = new IdentityRefusals(ctx.get(EVENT_STORE), clock, logger, (address, reason, now) => limiter.shouldRecord(address, reason, now));
        const record = (r: Parameters<IdentityRefusals['record']>[0]) => void refusals.record(r).catch((error: unknown) => logger.error('recording an identity refusal failed', { error }));
        return mdmRoutes({
          checkIns: ctx.get(CHECK_IN_SERVICE),
          reports: ctx.get(REPORT_SERVICE),
          refusals,
          identity: deviceIdentity({
            ca, clock, trustedProxyCidrs: config.trustedProxyCidrs,
            revocationReason: (sha256) => certificates.revocations.revocationOf(sha256)?.reason,
            revocationsKnown: () => certificates.revocations.loaded,
            onFailure: (f) => record({ reason: f.reason, remoteAddress: f.remoteAddress, ...(f.certificateHash ? { certificateHash: f.certificateHash } : {}) }),
          }),
          render: commandRenderer(ctx.get(BLOB_STORE), ctx.get(SECRET_BOX)),
          logger,
          maxReportBytes: config.device.maxReportBytes,
        });
      })
      .inSingletonScope();
    // Approvals and rejections come from the CLI, another process: wake the device once decided.
    quarantineNotices = push && new QuarantineNotices(eventStore, clock, { approved: (udid) => push.coordinator.requestPush(udid), rejected: (udid) => push.coordinator.requestPush(udid) }, { logger });
    const certificateJob = certificates.schedule(new IdentityRenewal({
      lifecycle: certificates.lifecycle,
      revocations: certificates.revocations,
      challenges: certificates.renewalChallenges,
      profile: renewalProfileBuilder({ profileBase, ...profileSigning }),
      queue: container.get<CommandQueueService>(COMMAND_QUEUE_SERVICE),
      clock,
      logger,
      windowDays: config.identityRenewal.days,
    }), config.identityRenewal.checkIntervalMs);
    if (config.automation.enabled) {
      const commandQueue = container.get<CommandQueueService>(COMMAND_QUEUE_SERVICE);
      automation = new PostEnrollmentAutomation({
        store: eventStore,
        clock,
        logger: logger.child({ component: 'automation' }),
        enqueue: async (udid, request, options) => (await commandQueue.enqueue([udid], request, options))[0]!,
        joinGroup: (group, udid, options) => deviceGroups.addDevice(group, udid, options.actor, { enrollmentId: options.enrollmentId, commandId: options.commandId }),
        refreshIntervalMs: config.automation.inventoryRefreshMs,
      });
    }
    const commandQueueService = container.get<CommandQueueService>(COMMAND_QUEUE_SERVICE);
    const apiReadModels = new ReadModels(documents, projections);
    const profileLibrary = new ProfileLibrary(eventStore, clock, container.get<BlobStore>(BLOB_STORE), configurationProfileReader, deviceGroups);
    const compliance = new ComplianceQueries(apiReadModels, clock);
    bulkCommands = new BulkCommands(eventStore, clock, commandQueueService, { logger: logger.child({ component: 'bulk-commands' }) });
    const api = adminApi({
      auth,
      idempotency: new IdempotencyRecords(eventStore, container.get<SecretBox>(SECRET_BOX), clock),
      queries: {
        inventory: new InventoryQueries(apiReadModels, clock),
        commandHistory: new CommandHistoryQueries(apiReadModels),
        audit: new AuditQueries(apiReadModels),
        compliance,
        status: () => projections.status(),
        events: eventStore,
      },
      devices: {
        commandQueue: commandQueueService,
        selfService: new SelfService(eventStore, deviceCache, commandQueueService, clock, { allowed: config.selfService.commands, limit: config.selfService.maxPerHour, windowMs: 3_600_000 }),
        quarantine: new Quarantine(eventStore, clock, async (sha256, reason) => {
          await certificates.revocations.revoke({ sha256, reason, actor: { kind: 'system', id: 'quarantine' } });
        }),
        events: eventStore,
      },
      groups: { groups: deviceGroups, profiles: profileLibrary },
      policies: { policies: new CompliancePolicies(eventStore, clock) },
      tokens: { apiTokens, enrollmentTokens, publicUrl: config.device.publicUrl },
      bulk: { bulk: bulkCommands },
      sessions: { directory: new BuiltInUserDirectory(eventStore, container.get<SecretBox>(SECRET_BOX)), tokens: apiTokens },
      push: {
        config, store: eventStore, clock,
        inUse: () => (push ? { ...pushCertificateStatus(push.sender.certificate, clock.now()), source: push.source } : undefined),
      },
    });
    container.bind(ADMIN_API_ROUTES).toConstantValue(api.router);
    container.bind(ADMIN_API_PATHS).toConstantValue(api.paths);
    container.bind(AdminHttp).toSelf().inSingletonScope();
    container.bind(DeviceHttp).toSelf().inSingletonScope();
    container.bind(PlainHttp).toSelf().inSingletonScope();

    const adminTls = adminTlsOptions(config);
    const admin = await listen(container.get(AdminHttp).app(), config.admin.host, config.admin.port, adminTls);
    listeners.push(admin);
    const device = await listen(container.get(DeviceHttp).app(), config.device.host, config.device.port, deviceTls);
    listeners.push(device);
    const http = config.http ? await listen(container.get(PlainHttp).app(), config.device.host, config.http.port) : undefined;
    if (http) listeners.push(http);
    const renewal = deviceTlsRenewal(config, issuingCa, clock, logger, device.server as HttpsServer);
    logger.info('listening', { admin: admin.url, device: device.url, publicUrl: config.device.publicUrl, ...(http ? { http: http.url } : {}) });
    void quarantineNotices?.start();
    // Bulk commands a previous run recorded but did not finish fanning out (it stopped or crashed).
    void bulkCommands.resumeUnfinished().then((resumed) => {
      if (resumed.length > 0) logger.info('bulk commands resumed', { resumed });
    }, (error: unknown) => logger.error('resuming bulk commands failed', { error }));
    // In the background: folding a large store takes a while, and devices are served meanwhile.
    void automation?.start();
    projections.start();
    stopAuditCheckpoints = await startAuditCheckpointing(config, eventStore, clock, logger);
    const readModels = new ReadModels(documents, projections);

    let stopping: Promise<void> | undefined;
    return {
      adminUrl: admin.url,
      deviceUrl: device.url,
      ...(http ? { httpUrl: http.url } : {}),
      services: {
        commandQueue: container.get<CommandQueueService>(COMMAND_QUEUE_SERVICE),
        deviceGroups,
        ...(automation ? { automation } : {}),
        certificates: { revocations: certificates.revocations, runJobNow: () => certificateJob.runNow() },
        readModels: {
          inventory: new InventoryQueries(readModels, clock),
          commandHistory: new CommandHistoryQueries(readModels),
          audit: new AuditQueries(readModels),
          compliance: new ComplianceQueries(readModels, clock),
          compliancePolicies: new CompliancePolicies(eventStore, clock),
          status: () => projections.status(),
          waitFor: (position, timeoutMs) => projections.waitFor(position, timeoutMs),
        },
      },
      stop: () =>
        (stopping ??= (async () => {
          container.get<Lifecycle>(LIFECYCLE).beginShutdown();
          renewal.stop();
          logger.info('shutting down', { graceMs: config.shutdownTimeoutMs });
          await Promise.all(listeners.map((l) => l.close(config.shutdownTimeoutMs)));
          await automation?.stop();
          await bulkCommands?.idle();
          await stopAuditCheckpoints?.();
          await projections.stop();
          await quarantineNotices?.close();
          await push?.close();
          await certificates.close();
          await documents.close();
          await eventStore.close();
          logger.info('stopped');
        })()),
    };
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close(0)));
    await automation?.stop();
    await stopAuditCheckpoints?.();
    await projections.stop();
    await quarantineNotices?.close();
    await push?.close();
    await certificates.close();
    await documents.close();
    await eventStore.close();
    throw error;
  }
}
