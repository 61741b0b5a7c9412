import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { handleCommand } from '../../application/command-handling.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import type { Clock } from '../../application/ports/clock.js';
import { StateCache } from '../../application/state-cache.js';
import { deviceDecider, deviceStreamId } from '../../domain/device/device.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { withSqliteStore } from './audit-fixture.js';

export const UDID = '00008110-000A1B2C3D4E5F60';
export const UNLOCK_TOKEN = Buffer.from('UNLOCK-TOKEN-KNOWN-SECRET-3f9a2c71e0b84d56');

/** A device's life through the real check-in service: enrolled at 10:05, a command at 10:30, checked out at 12:00. */
export async function enrollAndCheckOut(dataDir: string): Promise<void> {
  const key = await loadOrCreateSecretsKey(join(dataDir, 'secrets.key'), { create: true });
  const box = new AesGcmSecretBox(key.key);
  let now = new Date('2026-03-01T10:00:00Z');
  const clock: Clock = { now: () => now };
  await withSqliteStore(dataDir, async (store) => {
    const checkIn = new CheckInService(store, box, clock, new StateCache());
    const identity = { certificateHash: 'cd'.repeat(32), remoteAddress: '127.0.0.1' };
    const topic = 'com.apple.mgmt.External.t';
    expect(await checkIn.handle({ messageType: 'Authenticate', udid: UDID, topic, facts: { serialNumber: 'C02XK0XXJGH5', osVersion: '17.4' } }, identity)).to.deep.equal({ kind: 'ok' });
    now = new Date('2026-03-01T10:05:00Z');
    expect(await checkIn.handle({ messageType: 'TokenUpdate', udid: UDID, topic, token: Buffer.from('0a0b0c', 'hex'), pushMagic: 'PM-1', unlockToken: UNLOCK_TOKEN }, identity)).to.deep.equal({ kind: 'ok' });
    now = new Date('2026-03-01T10:30:00Z');
    const at = now.toISOString();
    await handleCommand(store, deviceDecider, deviceStreamId(UDID), {
      commandId: randomUUID(), actor: { kind: 'admin', id: 'alice' }, occurredAt: at,
      command: { type: 'QueueCommand', udid: UDID, commandUuid: randomUUID(), request: { requestType: 'DeviceLock', PIN: { sealed: box.seal('123456', 'command-parameter/PIN') as Sealed } }, priority: 50, expiresAt: '2026-03-08T10:30:00Z', queuedBy: 'admin:alice', at },
    });
    now = new Date('2026-03-01T12:00:00Z');
    expect(await checkIn.handle({ messageType: 'CheckOut', udid: UDID, topic }, identity)).to.deep.equal({ kind: 'ok' });
  });
}
