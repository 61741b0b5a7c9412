import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import { QueryResults } from '../../application/mdm/query-results.js';
import { ReportService } from '../../application/mdm/report-service.js';
import type { Clock } from '../../application/ports/clock.js';
import { StateCache } from '../../application/state-cache.js';
import { deviceStreamId, type DeviceState } from '../../domain/device/device.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { parseReport } from '../../infrastructure/http/device/mdm/parse-report.js';
import { certificateNotAfter } from '../../infrastructure/mdm-commands/certificate-expiry.js';
import { reportToJson } from '../../infrastructure/mdm-commands/report-json.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { buildXmlPlist, parsePlist } from '../../infrastructure/plist/index.js';
import { DEVICE_INFORMATION_QUERIES, deviceInformationAck, type SimDevice } from '../support/sim-devices.js';

const HOUR = 3_600_000;
const SEEN_INTERVAL_MS = 240 * 60_000;

/**
 * Gives `device` a long history the way months of real use would: DeviceInformation queued every
 * simulated hour, handed out at an Idle, acknowledged (every 7th first deferred with NotNow, every
 * 5th answer reporting changed facts, DeviceSeen every few hours). It drives the application's own
 * services on the server's events.db while the server is stopped, so every event is one the server
 * itself would have appended; it is only faster than going through HTTPS.
 */
export async function buildHistory(dataDir: string, device: SimDevice, events: number, onProgress: (n: number) => void): Promise<number> {
  const { key } = await loadOrCreateSecretsKey(join(dataDir, 'secrets.key'), { create: false });
  const secrets = new AesGcmSecretBox(key);
  const store = new SqliteEventStore(join(dataDir, 'events.db'), { durability: 'process' });
  // A cycle appends at least 3 events, so the history ends at least a day ago: the restarted server
  // sees an ordinary device whose next Idle records DeviceSeen, as the fresh device's does.
  let now = Date.now() - Math.ceil(events / 3) * HOUR - 24 * HOUR;
  const clock: Clock = { now: () => new Date(now) };
  const cache = new StateCache<DeviceState>();
  const queue = new CommandQueueService(store, clock, cache, new CommandPreparation(secrets, new EventStoreBlobStore(store, secrets)));
  const reports = new ReportService(store, clock, cache, new QueryResults(certificateNotAfter), { seenIntervalMs: SEEN_INTERVAL_MS });
  const identity = { certificateHash: device.certificateSha256, remoteAddress: '127.0.0.1' };
  const streamId = deviceStreamId(device.udid);

  // Through the device endpoint's own parsing, so the report JSON is exactly what the server stores.
  const report = async (body: Buffer) => {
    const parsed = parseReport(parsePlist(body));
    const outcome = await reports.report({ udid: parsed.udid, status: parsed.status, body: reportToJson(parsed.dict) ?? {}, ...(parsed.commandUuid ? { commandUuid: parsed.commandUuid } : {}) }, identity);
    if (outcome.answer.kind !== 'ok') throw new Error(`history: report answered ${JSON.stringify(outcome.answer)}`);
    return outcome.next?.commandUuid;
  };
  const idle = Buffer.from(buildXmlPlist({ UDID: device.udid, Status: 'Idle' }));
  const revision = () => cache.get(streamId)?.revision ?? -1;

  try {
    for (let cycle = 1; revision() + 1 < events; cycle++) {
      now += HOUR;
      const commandUuid = randomUUID().toUpperCase();
      const [queued] = await queue.enqueue([device.udid], { requestType: 'DeviceInformation', Queries: DEVICE_INFORMATION_QUERIES }, { commandUuid, actor: { kind: 'admin', id: 'bench' } });
      if (queued?.outcome !== 'queued') throw new Error(`history: enqueue answered ${JSON.stringify(queued)}`);
      if ((await report(idle)) !== commandUuid) throw new Error('history: Idle did not hand out the queued command');
      if (cycle % 7 === 0) {
        await report(Buffer.from(buildXmlPlist({ UDID: device.udid, Status: 'NotNow', CommandUUID: commandUuid })));
        if ((await report(idle)) !== commandUuid) throw new Error('history: the deferred command was not handed out again');
      }
      if ((await report(deviceInformationAck(device, commandUuid, Math.floor(cycle / 5)))) !== undefined) throw new Error('history: more work after the Acknowledged');
      if (cycle % 250 === 0) onProgress(revision() + 1);
    }
    return revision() + 1;
  } finally {
    await store.close();
  }
}
