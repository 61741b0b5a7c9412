import { join } from 'node:path';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { CommandPreparation } from '../../application/mdm/command-preparation.js';
import { CommandQueueService } from '../../application/mdm/command-queue-service.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { ProfileLibrary } from '../../application/profile-library/profile-library.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { StateCache } from '../../application/state-cache.js';
import type { DeviceState } from '../../domain/device/device.js';
import { deviceStreamId } from '../../domain/device/device.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { EventStoreBlobStore } from '../../infrastructure/blobs/event-store-blob-store.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { configurationProfileReader } from '../../infrastructure/profiles/configuration-profile-reader.js';
import { ManualTime } from '../apns/manual-time.js';

/**
 * The application side of one server process over a real SQLite store: check-ins, the command
 * queue, groups, the library and enrollments, sharing a hand-driven clock. `reopen()` is a restart.
 */
export class AutomationFixture {
  readonly time = new ManualTime(Date.UTC(2026, 2, 1, 9, 0, 0));
  store!: SqliteEventStore;
  box!: AesGcmSecretBox;
  cache!: StateCache<DeviceState>;
  checkIns!: CheckInService;
  queue!: CommandQueueService;
  groups!: DeviceGroups;
  library!: ProfileLibrary;
  enrollments!: Enrollments;

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<AutomationFixture> {
    const fixture = new AutomationFixture(dir);
    await fixture.reopen();
    return fixture;
  }

  async reopen(): Promise<void> {
    await this.store?.close();
    this.store = new SqliteEventStore(join(this.dir, 'events.db'), { pollMs: 20 });
    this.box = new AesGcmSecretBox((await loadOrCreateSecretsKey(join(this.dir, 'secrets.key'), { create: true })).key);
    this.cache = new StateCache<DeviceState>();
    this.checkIns = new CheckInService(this.store, this.box, this.time, this.cache);
    const blobs = new EventStoreBlobStore(this.store, this.box);
    this.queue = new CommandQueueService(this.store, this.time, this.cache, new CommandPreparation(this.box, blobs));
    this.groups = new DeviceGroups(this.store, this.time);
    this.library = new ProfileLibrary(this.store, this.time, blobs, configurationProfileReader, this.groups);
    this.enrollments = new Enrollments(this.store, this.time);
  }

  /** Authenticate and TokenUpdate, as the device listener records them. */
  async enroll(udid: string, certificateHash = 'cd'.repeat(32)): Promise<void> {
    const identity = { certificateHash, remoteAddress: '127.0.0.1' };
    await this.checkIns.handle({ messageType: 'Authenticate', udid, topic: 'com.apple.mgmt.External.t', facts: {} }, identity);
    await this.checkIns.handle({ messageType: 'TokenUpdate', udid, topic: 'com.apple.mgmt.External.t', token: Buffer.from('0a0b', 'hex'), pushMagic: 'PM' }, identity);
  }

  async deviceEvents(udid: string): Promise<RecordedEvent[]> {
    return this.store.readStream(deviceStreamId(udid));
  }

  /** The RequestTypes of the commands ever queued on the device, in order. */
  async queuedRequests(udid: string): Promise<string[]> {
    return (await this.deviceEvents(udid)).filter((e) => e.type === 'CommandQueued').map((e) => (e.data as { request: { requestType: string } }).request.requestType);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
