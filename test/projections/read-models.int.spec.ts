import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import { QueryResults } from '../../application/mdm/query-results.js';
import { ReportService, type CommandReport } from '../../application/mdm/report-service.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { StateCache } from '../../application/state-cache.js';
import { INVENTORY_QUERIES } from '../../application/automation/inventory.js';
import type { DeviceState } from '../../domain/device/device.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { certificateNotAfter } from '../../infrastructure/mdm-commands/certificate-expiry.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { auditHistoryProjection } from '../../projections/audit-history.js';
import { KNOWN_EVENT_TYPES } from '../../projections/audit-summaries.js';
import { commandHistory } from '../../projections/command-history.js';
import { commandRecordProjection } from '../../projections/command-record.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { inventoryProjection } from '../../projections/inventory.js';
import { ManualTime } from '../apns/manual-time.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';
import { expectPlainJson, fold } from './event-log.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';

const UDID = '00008120-001A2B3C4D5E6F70';
const TOPIC = 'com.apple.mgmt.External.0d6a1f5e-3c2b-4a19-9e8d-7f6c5b4a3d21';
const admin = { kind: 'admin' as const, id: 'alice' };
const PIN = '739164';
const UNLOCK_TOKEN = Buffer.from('UNLOCK-TOKEN-READ-MODELS-4b7e2d90c1');

describe('read models over events the application services record (SQLite)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  eachSqliteStore((s, d) => {
    store = s;
    dir = d;
  });

  it('folds readAll() into inventory, command and audit documents that match what the device sent', async () => {
    const time = new ManualTime(Date.UTC(2026, 10, 2, 8, 0, 0));
    const box = new AesGcmSecretBox((await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true })).key);
    const cache = new StateCache<DeviceState>();
    const checkIns = new CheckInService(store, box, time, cache);
    const queue = new CommandQueueService(store, time, cache, new CommandPreparation(box, new EventStoreBlobStore(store, box)));
    const reports = new ReportService(store, time, cache, new QueryResults(certificateNotAfter), { seenIntervalMs: 3_600_000 });
    const groups = new DeviceGroups(store, time);
    const ca = await createTestCa('Read Models Test CA');
    const identityCert = await issueDeviceIdentity(ca, UDID);
    const identity = { certificateHash: createHash('sha256').update(identityCert.der).digest('hex'), remoteAddress: '127.0.0.1' };
    const caDer = new X509Certificate(ca.certPem).raw;
    const step = () => time.advance(60_000);

    // An admin puts the device in a group before it ever enrolls.
    await groups.create('field-staff', {}, admin);
    await groups.addDevice('field-staff', UDID, admin);
    await step();
    const enrolledAt = time.now().toISOString();
    expect(await checkIns.handle({ messageType: 'Authenticate', udid: UDID, topic: TOPIC, facts: { serialNumber: 'HX7Q2LL0P1', osVersion: '17.3', deviceName: 'iPad', model: 'MPQ03LL/A', productName: 'iPad14,1' } }, identity)).to.deep.equal({ kind: 'ok' });
    expect(await checkIns.handle({ messageType: 'TokenUpdate', udid: UDID, topic: TOPIC, token: Buffer.from('8f2a', 'hex'), pushMagic: 'PM-7', unlockToken: UNLOCK_TOKEN }, identity)).to.deep.equal({ kind: 'ok' });

    const answer = async (report: Omit<CommandReport, 'udid'>) => {
      await step();
      return reports.report({ udid: UDID, ...report }, identity);
    };
    /** Queues the request, lets the device fetch it at Idle and answer it. */
    const run = async (commandUuid: string, request: Record<string, unknown>, reply: { status: 'Acknowledged' | 'Error'; body?: JsonObject }) => {
      await step();
      expect(await queue.enqueue([UDID], request, { commandUuid, actor: admin })).to.deep.equal([{ udid: UDID, outcome: 'queued' }]);
      const idle = await answer({ status: 'Idle', body: {} });
      expect(idle.next?.commandUuid).to.equal(commandUuid);
      await answer({ status: reply.status, commandUuid, body: reply.body ?? {}, ...(reply.status === 'Error' ? { errorChain: [{ errorCode: 12066, errorDomain: 'MCMDMErrorDomain', localizedDescription: 'Lock refused' }] } : {}) });
    };

    const information = {
      UDID, DeviceName: 'Field iPad 7', OSVersion: '17.4.1', BuildVersion: '21E236', ModelName: 'iPad', Model: 'MPQ03LL/A', ProductName: 'iPad14,1',
      SerialNumber: 'HX7Q2LL0P1', DeviceCapacity: 256, AvailableDeviceCapacity: 190.25, BatteryLevel: 0.55, WiFiMAC: '3c:22:fb:00:00:07', IsSupervised: false,
    };
    await run('11111111-0000-4000-8000-000000000001', { requestType: 'DeviceInformation', Queries: INVENTORY_QUERIES }, { status: 'Acknowledged', body: { QueryResponses: information } });
    await run('11111111-0000-4000-8000-000000000002', { requestType: 'SecurityInfo' }, { status: 'Acknowledged', body: { SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: false, PasscodeCompliant: true, PasscodeCompliantWithProfiles: true } } });
    await run('11111111-0000-4000-8000-000000000003', { requestType: 'InstalledApplicationList' }, { status: 'Acknowledged', body: { InstalledApplicationList: [{ Identifier: 'com.example.field', Name: 'Field', ShortVersion: '3.2', Version: '320', BundleSize: 4096 }] } });
    await run('11111111-0000-4000-8000-000000000004', { requestType: 'CertificateList' }, {
      status: 'Acknowledged',
      body: { CertificateList: [{ CommonName: UDID, IsIdentity: true, Data: identityCert.der.toString('base64') }, { CommonName: 'Read Models Test CA', IsIdentity: false, Data: caDer.toString('base64') }] },
    });
    await run('11111111-0000-4000-8000-000000000005', { requestType: 'DeviceLock', PIN, Message: 'Call the office' }, { status: 'Error' });
    await step();
    await queue.enqueue([UDID], { requestType: 'ProfileList' }, { commandUuid: '11111111-0000-4000-8000-000000000006', actor: admin });

    const events: RecordedEvent[] = await store.readAll();
    for (const event of events) expect(KNOWN_EVENT_TYPES.has(event.type), `audit summary for ${event.type}`).to.equal(true);

    const inventory = fold(inventoryProjection, events);
    expect([...inventory.keys()]).to.deep.equal([UDID]);
    const doc = inventory.get(UDID) as InventoryDocument;
    expectPlainJson(doc);
    const expiries = [identityCert.der, caDer].map((der) => new Date(new X509Certificate(der).validTo).toISOString()).sort();
    expect(doc).to.deep.include({
      udid: UDID, enrollmentState: 'enrolled', certificateHash: identity.certificateHash, firstSeenAt: enrolledAt, enrolledAt,
      groups: ['field-staff'], groupsKey: ',field-staff,', pushState: 'active', pushTopic: TOPIC,
      serialNumber: information.SerialNumber, deviceName: information.DeviceName, osVersion: '17.4.1', osVersionKey: '00017.00004.00001', buildVersion: '21E236',
      model: 'MPQ03LL/A', productName: 'iPad14,1', capacityGb: 256, availableCapacityGb: 190.25, batteryLevel: 0.55, wifiMac: '3c:22:fb:00:00:07', supervised: false,
      pendingCommands: 1, failedCommands: 1, appCount: 1, nextCertificateExpiry: expiries[0], lastCommandAt: time.now().toISOString(),
    });
    expect(doc.security).to.deep.include({ hardwareEncryptionCaps: 3, passcodePresent: false, passcodeCompliant: true });
    expect(doc.apps?.items).to.deep.equal([{ identifier: 'com.example.field', name: 'Field', version: '320', shortVersion: '3.2', bundleSize: 4096 }]);
    expect(doc.certificates?.items.map((c) => [c.commonName, c.sha256, c.notAfter])).to.have.deep.members([
      [UDID, identity.certificateHash, new Date(new X509Certificate(identityCert.der).validTo).toISOString()],
      ['Read Models Test CA', createHash('sha256').update(caDer).digest('hex'), new Date(new X509Certificate(caDer).validTo).toISOString()],
    ]);
    const lastReport = events.filter((e) => e.type.endsWith('Reported') || e.type === 'CommandFailed').at(-1)!;
    expect(doc.lastSeenAt).to.equal(lastReport.metadata.occurredAt);

    const commands = fold(commandRecordProjection, events);
    const byUuid = new Map([...commands.values()].map((c) => [c.commandUuid, c]));
    expect([...byUuid.values()].map((c) => [c.requestType, c.status])).to.deep.equal([
      ['DeviceInformation', 'acknowledged'], ['SecurityInfo', 'acknowledged'], ['InstalledApplicationList', 'acknowledged'], ['CertificateList', 'acknowledged'],
      ['DeviceLock', 'failed'], ['ProfileList', 'queued'],
    ]);
    const lock = byUuid.get('11111111-0000-4000-8000-000000000005')!;
    expect(lock).to.deep.include({ udid: UDID, queuedBy: 'admin:alice', deliveries: 1, timeToFirstDeliveryMs: 60_000, timeToFinishMs: 120_000, failureStatus: 'Error' });
    expect(lock.errorChain).to.deep.equal([{ errorCode: 12066, errorDomain: 'MCMDMErrorDomain', localizedDescription: 'Lock refused' }]);
    expect(commandHistory(await store.readStream(`device-${UDID}`)).map((h) => h.status)).to.deep.equal([...byUuid.values()].map((c) => c.status));

    const audit = fold(auditHistoryProjection, events);
    expect(audit.size).to.equal(events.length);
    expect([...audit.values()].find((e) => e.type === 'DeviceGroupMemberAdded')).to.deep.include({ udid: UDID, actor: 'admin:alice', summary: `Device ${UDID} added to group field-staff by admin:alice` });

    // No read model holds the device's secrets, sealed or not.
    const sealedValues = events.flatMap((e) => JSON.stringify(e.data).match(/"sealed":"([^"]+)"/g) ?? []).map((m) => m.slice(10, -1));
    expect(sealedValues.length, 'the unlock token and the PIN are sealed in the events').to.be.at.least(2);
    const readModels = JSON.stringify([...inventory.values(), ...commands.values(), ...audit.values()]);
    for (const secret of [...sealedValues, PIN, UNLOCK_TOKEN.toString('utf8'), UNLOCK_TOKEN.toString('base64')]) expect(readModels).to.not.include(secret);
  });
});
