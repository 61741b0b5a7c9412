import { expect } from 'chai';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { commandHistory } from '../../projections/command-history.js';

let revision = 0;
const e = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  streamId: 'device-X', revision: revision, position: ++revision, eventId: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`, type, data,
  metadata: { prevHash: '', hash: '' }, recordedAt: '2026-11-01T00:00:00.000Z',
});
const queued = (uuid: string, requestType: string) => e('CommandQueued', { commandUuid: uuid, request: { requestType }, priority: 50, queuedAt: 't0', expiresAt: 't9', queuedBy: 'admin:a' });

describe('command history', () => {
  it('follows each command to its outcome, oldest first, ignoring other events', () => {
    const history = commandHistory([
      queued('a', 'DeviceInformation'), queued('b', 'DeviceLock'), queued('c', 'ProfileList'), queued('d', 'SecurityInfo'),
      e('DeviceSeen', { seenAt: 't1' }),
      e('CommandDelivered', { commandUuid: 'a', attempt: 1, deliveredAt: 't1' }),
      e('CommandDeferred', { commandUuid: 'a', deferrals: 1, deferredAt: 't1' }),
      e('CommandDelivered', { commandUuid: 'a', attempt: 2, deliveredAt: 't2' }),
      e('CommandFailed', { commandUuid: 'a', status: 'Error', errorChain: [{ errorCode: 12021 }], failedAt: 't2' }),
      e('CommandCancelled', { commandUuid: 'b', reason: 'cancelled', cancelledBy: 'admin:b', cancelledAt: 't3' }),
      e('CommandExpired', { commandUuid: 'c', expiredAt: 't9' }),
    ]);
    expect(history.map((h) => [h.commandUuid, h.status, h.deliveries, h.deferrals])).to.deep.equal([
      ['a', 'failed', 2, 1], ['b', 'cancelled', 0, 0], ['c', 'expired', 0, 0], ['d', 'queued', 0, 0],
    ]);
    expect(history[0]!.errorChain).to.deep.equal([{ errorCode: 12021 }]);
    expect(history[1]!.cancelledBy).to.equal('admin:b');
  });
});
