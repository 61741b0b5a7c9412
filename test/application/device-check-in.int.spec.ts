import { expect } from 'chai';
import { join } from 'node:path';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { unlockTokenContext } from '../../application/mdm/secret-contexts.js';
import { StateCache } from '../../application/state-cache.js';
import { systemClock } from '../../application/ports/clock.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { encodingsOf, filesContaining } from '../support/find-secret.js';
import { tempDir } from '../support/temp-dir.js';

describe('CheckInService (enrollment)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('enrolls through Authenticate and TokenUpdate, and the unlock token never reaches the data dir or logs in clear', async () => {
    const udid = '00008110-000A1B2C3D4E5F60';
    const unlockToken = Buffer.from('UNLOCK-TOKEN-KNOWN-SECRET-3f9a2c71e0b84d56');
    const lines: string[] = [];
    const logger = jsonLogger({ write: (l) => lines.push(l), level: 'debug' });
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    const key = await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true });
    const box = new AesGcmSecretBox(key.key);
    const checkIn = new CheckInService(store, box, systemClock, new StateCache());
    const identity = { certificateHash: 'cd'.repeat(32), remoteAddress: '127.0.0.1' };
    try {
      expect(await checkIn.handle({ messageType: 'Authenticate', udid, topic: 'com.apple.mgmt.External.t', facts: { serialNumber: 'C02XK0XXJGH5', osVersion: '17.4' } }, identity)).to.deep.equal({ kind: 'ok' });
      const tokenUpdate = { messageType: 'TokenUpdate' as const, udid, topic: 'com.apple.mgmt.External.t', token: Buffer.from('0a0b0c', 'hex'), pushMagic: 'PM-1', unlockToken };
      expect(await checkIn.handle(tokenUpdate, identity)).to.deep.equal({ kind: 'ok' });
      logger.info('token update handled', { udid, message: tokenUpdate });
      expect((await store.readStream(deviceStreamId(udid))).map((e) => e.type)).to.deep.equal(['DeviceEnrollmentStarted', 'DeviceEnrolled']);

      // The same TokenUpdate again (the device retries): sealed anew, but nothing is recorded.
      expect(await checkIn.handle(tokenUpdate, identity)).to.deep.equal({ kind: 'ok' });

      const events = await store.readStream(deviceStreamId(udid));
      expect(events).to.have.length(2);
      const sealed = (events[1]!.data as { unlockToken: { sealed: string } }).unlockToken.sealed;
      expect(box.isSealed(sealed)).to.equal(true);
      expect(box.open(sealed, unlockTokenContext(udid)).equals(unlockToken)).to.equal(true);
      expect((events[1]!.data as { pushToken: string }).pushToken).to.equal('0a0b0c');
    } finally {
      await store.close();
    }
    expect(filesContaining(dir.path, unlockToken), 'files holding the unlock token in clear').to.deep.equal([]);
    const log = Buffer.from(lines.join(''));
    for (const needle of encodingsOf(unlockToken)) expect(log.includes(needle)).to.equal(false);
  });
});
