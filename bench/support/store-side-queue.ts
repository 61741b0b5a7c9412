import { join } from 'node:path';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService, type EnqueueOutcome } from '../../application/mdm/command-queue-service.js';
import { systemClock } from '../../application/ports/clock.js';
import { StateCache } from '../../application/state-cache.js';
import type { DeviceState } from '../../domain/device/device.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { DEVICE_INFORMATION_QUERIES } from './sim-devices.js';

/**
 * Commands queued out-of-process: there is no admin HTTP API yet, so the benchmark opens a second
 * connection to the server's events.db and uses the application's own CommandQueueService (with
 * the server's secrets key, which the server created in the data directory). The running server
 * sees the new events because it always reads a device stream past its cached revision.
 */
export class StoreSideQueue {
  private constructor(
    readonly store: SqliteEventStore,
    private readonly service: CommandQueueService,
  ) {}

  /** Open after the server has started once: it creates events.db and secrets.key. */
  static async open(dataDir: string): Promise<StoreSideQueue> {
    const { key } = await loadOrCreateSecretsKey(join(dataDir, 'secrets.key'), { create: false });
    const secrets = new AesGcmSecretBox(key);
    const store = new SqliteEventStore(join(dataDir, 'events.db'), { durability: 'process' });
    const preparation = new CommandPreparation(secrets, new EventStoreBlobStore(store, secrets));
    return new StoreSideQueue(store, new CommandQueueService(store, systemClock, new StateCache<DeviceState>(), preparation));
  }

  enqueueDeviceInformation(udids: readonly string[], commandUuid: string): Promise<EnqueueOutcome[]> {
    return this.service.enqueue(udids, { requestType: 'DeviceInformation', Queries: DEVICE_INFORMATION_QUERIES }, { commandUuid, actor: { kind: 'admin', id: 'bench' } });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
