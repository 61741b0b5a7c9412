import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { IdentityRenewal, renewalCommandUuid } from '../../application/certificates/identity-renewal.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import { StateCache } from '../../application/state-cache.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import { wireCertificates, type CertificateWiring } from '../../infrastructure/certificates/certificate-lifecycle-wiring.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { settableClock } from '../identity/identity-doubles.js';
import { createTestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

const DAY = 24 * 3600_000;
const hash = (n: number) => n.toString(16).padStart(64, '0');
const now = new Date('2025-06-01T00:00:00.000Z');

/** Device history written straight to the store, as an older version of the server left it. */
async function history(store: EventStore, udid: string, events: [string, Record<string, unknown>][]): Promise<void> {
  await store.append(deviceStreamId(udid), events.map(([type, data]) => ({ eventId: randomUUID(), type, data })), 'any');
}

const started = (udid: string, certificateHash: string): [string, Record<string, unknown>] => ['DeviceEnrollmentStarted', { udid, topic: 't', certificateHash, facts: {}, reenrollment: false, startedAt: now.toISOString() }];
const enrolled = (udid: string): [string, Record<string, unknown>] => ['DeviceEnrolled', { udid, topic: 't', pushToken: '0a', pushMagic: 'pm', enrolledAt: now.toISOString() }];
const bound = (udid: string, certificateHash: string, notAfter: Date) => ({ eventId: randomUUID(), type: 'CertificateBound', data: { certificateHash, udid, serialNumber: '0123', notAfter: notAfter.toISOString(), boundAt: now.toISOString() } });

describe('the certificate job (sweep and renewal) on a real store', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let wiring: CertificateWiring | undefined;
  const logger = jsonLogger({ write: () => undefined });
  const clock = settableClock(now);

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
  });
  afterEach(async () => {
    await wiring?.close();
    wiring = undefined;
    await store.close();
    dir.remove();
  });

  async function queueService(): Promise<CommandQueueService> {
    const box = new AesGcmSecretBox((await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true })).key);
    return new CommandQueueService(store, clock, new StateCache(), new CommandPreparation(box, new EventStoreBlobStore(store, box)));
  }

  it('revokes certificates that left their device without being revoked, once, from history found at start-up', async () => {
    await history(store, 'OUT', [started('OUT', hash(1)), enrolled('OUT'), ['DeviceCheckedOut', { udid: 'OUT', checkedOutAt: now.toISOString() }]]);
    await history(store, 'RENEWED', [started('RENEWED', hash(2)), enrolled('RENEWED'), ['DeviceCertificateRebound', { udid: 'RENEWED', previousCertificateHash: hash(2), certificateHash: hash(3), facts: {}, reboundAt: now.toISOString() }]]);
    await store.append(`certificate-${hash(1)}`, [bound('OUT', hash(1), new Date(now.getTime() + 100 * DAY))], 'no-stream');
    wiring = await wireCertificates({ store, clock, logger, crlSigner: (await createTestCa()).ca });
    const job = wiring.schedule(new IdentityRenewal({ lifecycle: wiring.lifecycle, revocations: wiring.revocations, challenges: wiring.renewalChallenges, queue: await queueService(), clock, logger, windowDays: 30 }), 3600_000);
    // The job runs once on its own when the index has caught up; runNow runs after that one.
    await job.runNow();
    expect(wiring.revocations.revocationOf(hash(1))).to.include({ reason: 'checked-out', serialNumber: '0123', revokedBy: 'system:certificate-lifecycle' });
    expect(wiring.revocations.revocationOf(hash(2))).to.include({ reason: 'superseded' });
    expect(wiring.revocations.isRevoked(hash(3))).to.equal(false);
    // The revocations reach the index through the subscription; the next run has nothing to do.
    await new Promise((r) => setTimeout(r, 300));
    expect(wiring.lifecycle.pendingRevocations()).to.deep.equal([]);
    expect((await job.runNow()).revoked).to.deep.equal([]);
  });

  it('queues one renewal per due certificate, and none when renewal is off or no profile can be built', async () => {
    await history(store, 'DUE', [started('DUE', hash(5)), enrolled('DUE')]);
    await store.append(`certificate-${hash(5)}`, [bound('DUE', hash(5), new Date(now.getTime() + 10 * DAY))], 'no-stream');
    wiring = await wireCertificates({ store, clock, logger, crlSigner: (await createTestCa()).ca });
    const queue = await queueService();
    const profile = (udid: string, challenge: string) => Buffer.from(`<?xml version="1.0"?><plist version="1.0"><dict><key>for</key><string>${udid}</string><key>c</key><string>${challenge}</string></dict></plist>`);
    const base = { lifecycle: wiring.lifecycle, revocations: wiring.revocations, challenges: wiring.renewalChallenges, queue, clock, logger };
    expect((await wiring.schedule(new IdentityRenewal({ ...base, profile, windowDays: 0 }), 3600_000).runNow()).queued, 'MDM_IDENTITY_RENEWAL_DAYS=0').to.deep.equal([]);
    expect((await wiring.schedule(new IdentityRenewal({ ...base, windowDays: 30 }), 3600_000).runNow()).queued, 'no push topic, no profile').to.deep.equal([]);
    expect((await wiring.schedule(new IdentityRenewal({ ...base, profile, windowDays: 5 }), 3600_000).runNow()).queued, 'not yet within 5 days').to.deep.equal([]);
    expect(await queue.queue('DUE')).to.deep.equal([]);
    const job = wiring.schedule(new IdentityRenewal({ ...base, profile, windowDays: 30 }), 3600_000);
    // Its own first run (once caught up) queues; runNow, after it, finds nothing left to do.
    expect((await job.runNow()).queued).to.deep.equal([]);
    const [queued] = await queue.queue('DUE');
    expect(queued).to.include({ commandUuid: renewalCommandUuid(hash(5)) });
    expect(queued!.request.requestType).to.equal('InstallProfile');
    expect(queued!.expiresAt).to.equal(new Date(now.getTime() + 10 * DAY).toISOString());
    const challenges = (await store.readAll({ maxCount: 1000 })).filter((e) => e.type === 'RenewalChallengeIssued');
    expect(challenges).to.have.length(1);
    expect(challenges[0]!.data).to.include({ udid: 'DUE', renewalOf: hash(5), expiresAt: new Date(now.getTime() + 10 * DAY).toISOString() });
  });
});
