import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import { StateCache } from '../../application/state-cache.js';
import type { DeviceState } from '../../domain/device/device.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import type { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { commandQueueMetrics } from '../../infrastructure/mdm-commands/command-queue-metrics.js';
import { MetricsRegistry } from '../../infrastructure/metrics/registry.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { ManualTime } from '../apns/manual-time.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';
import type { tempDir } from '../support/temp-dir.js';

describe('mdm_commands_queued_total', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  eachSqliteStore((s, d) => {
    store = s;
    dir = d;
  });

  it('counts commands queued per device by RequestType; repeats and refusals are not counted', async () => {
    const time = new ManualTime(Date.UTC(2026, 10, 23, 9, 0, 0));
    const box = new AesGcmSecretBox((await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true })).key);
    const cache = new StateCache<DeviceState>();
    const metrics = new MetricsRegistry();
    const checkIns = new CheckInService(store, box, time, cache);
    const queue = new CommandQueueService(store, time, cache, new CommandPreparation(box, new EventStoreBlobStore(store, box)), commandQueueMetrics(metrics));
    const ca = await createTestCa('Command Metrics Test CA');
    const udids = ['00008110-000A1C2E0C78801E', '00008110-000B1C2E0C78801E'];
    for (const udid of udids) {
      const identity = { certificateHash: createHash('sha256').update((await issueDeviceIdentity(ca, udid)).der).digest('hex'), remoteAddress: '127.0.0.1' };
      expect(await checkIns.handle({ messageType: 'Authenticate', udid, topic: 'com.apple.mgmt.test', facts: {} }, identity)).to.deep.equal({ kind: 'ok' });
    }
    const actor = { kind: 'admin' as const, id: 'alice' };
    await queue.enqueue(udids, { requestType: 'DeviceInformation', Queries: ['OSVersion'] }, { commandUuid: 'c-1', actor });
    await queue.enqueue(udids, { requestType: 'DeviceInformation', Queries: ['OSVersion'] }, { commandUuid: 'c-1', actor });
    await queue.enqueue([udids[0]!, '00008110-0000000000000000'], { requestType: 'ProfileList' }, { commandUuid: 'c-2', actor });

    const text = metrics.render();
    expect(text).to.contain('mdm_commands_queued_total{request_type="DeviceInformation"} 2\n');
    expect(text).to.contain('mdm_commands_queued_total{request_type="ProfileList"} 1\n');
  });
});
