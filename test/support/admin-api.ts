import { randomBytes } from 'node:crypto';
import { AccessDenials } from '../../application/api-tokens/access-denials.js';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { BuiltInUserDirectory } from '../../application/users/built-in-user-directory.js';
import { BulkCommands } from '../../application/commands/bulk-commands.js';
import { CompliancePolicies } from '../../application/compliance/compliance-policies.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import { Quarantine } from '../../application/enrollment/quarantine.js';
import { IdempotencyRecords } from '../../application/idempotency/idempotency-records.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import type { Clock } from '../../application/ports/clock.js';
import type { DocumentStore } from '../../application/ports/document-store.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { ProfileLibrary } from '../../application/profile-library/profile-library.js';
import { SelfService } from '../../application/self-service/self-service.js';
import { StateCache } from '../../application/state-cache.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import type { Config } from '../../infrastructure/config/config.js';
import { adminApi, type AdminApi } from '../../infrastructure/http/admin/admin-api.js';
import { apiAuth } from '../../infrastructure/http/admin/api-auth.js';
import { AesGcmSecretBox } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { configurationProfileReader } from '../../infrastructure/profiles/configuration-profile-reader.js';
import { queryApiDeps } from './query-api-deps.js';

/** The admin API over real stores, wired as the composition root wires it (no push, no listeners). */
export function buildAdminApi(stores: { events: EventStore; documents: DocumentStore }, clock: Clock, config: Config): AdminApi {
  const { events } = stores;
  const secrets = new AesGcmSecretBox(randomBytes(32));
  const blobs = new EventStoreBlobStore(events, secrets);
  const groups = new DeviceGroups(events, clock);
  const commandQueue = new CommandQueueService(events, clock, new StateCache(100), new CommandPreparation(secrets, blobs));
  const { authorize: _authorize, ownsDevice: _owns, ...queries } = queryApiDeps(stores, clock);
  const apiTokens = new ApiTokens(events, clock);
  const denials = new AccessDenials(events, clock);
  return adminApi({
    auth: apiAuth({ tokens: apiTokens, onDenied: (d) => void denials.record({ status: d.status, reason: d.reason, method: d.method, route: d.route, remoteAddress: d.remoteAddress }) }),
    idempotency: new IdempotencyRecords(events, secrets, clock),
    queries,
    devices: {
      commandQueue,
      selfService: new SelfService(events, new StateCache(100), commandQueue, clock, { allowed: ['DeviceLock'], limit: 5, windowMs: 3_600_000 }),
      quarantine: new Quarantine(events, clock, async () => undefined),
      events,
    },
    groups: { groups, profiles: new ProfileLibrary(events, clock, blobs, configurationProfileReader, groups) },
    policies: { policies: new CompliancePolicies(events, clock) },
    tokens: { apiTokens, enrollmentTokens: new EnrollmentTokens(events, clock), publicUrl: config.device.publicUrl },
    push: { config, store: events, clock, inUse: () => undefined },
    bulk: { bulk: new BulkCommands(events, clock, commandQueue) },
    sessions: { directory: new BuiltInUserDirectory(events, secrets), tokens: apiTokens },
  });
}
