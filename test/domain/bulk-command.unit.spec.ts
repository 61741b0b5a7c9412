import { expect } from 'chai';
import { MAX_BULK_DEVICES, MAX_UDIDS_PER_EVENT, bulkCommandDecider, type BulkCommandCommand, type BulkCommandEvent, type BulkCommandRequestedData } from '../../domain/bulk-command/bulk-command.js';
import { bulkCommandIndexDecider } from '../../domain/bulk-command/bulk-command-index.js';
import { fold } from '../../domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-03-01T09:00:00.000Z';
const LATER = '2026-03-01T09:05:00.000Z';
const BULK = '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SEALED = { sealed: `sb1.0badc0de.${'A'.repeat(43)}` };
const udid = (i: number) => `00008030-${String(i).padStart(16, '0')}`;
const UDIDS = [udid(1), udid(2), udid(3), udid(4)];
const spec = deciderSpec(bulkCommandDecider);

type Request = Extract<BulkCommandCommand, { type: 'RequestBulkCommand' }>;
const request = (over: Partial<Request> = {}): BulkCommandCommand => ({
  type: 'RequestBulkCommand',
  bulkId: BULK,
  target: { kind: 'group', group: 'field-staff' },
  udids: UDIDS,
  total: UDIDS.length,
  udidsSha256: 'a'.repeat(64),
  request: { requestType: 'DeviceLock', PIN: SEALED },
  requestType: 'DeviceLock',
  requestFingerprint: 'f'.repeat(64),
  requestedBy: 'admin:alice',
  at: AT,
  ...over,
} as BulkCommandCommand);
const requestedData = (over: Partial<BulkCommandRequestedData> = {}): BulkCommandRequestedData => {
  const { type: _t, at: _a, ...data } = request() as Request;
  return { ...data, requestedAt: AT, ...over };
};
const requested: BulkCommandEvent = { type: 'BulkCommandRequested', data: requestedData() };
const progress = (from: number, through: number, over: Partial<Extract<BulkCommandCommand, { type: 'RecordBulkCommandProgress' }>> = {}): BulkCommandCommand =>
  ({ type: 'RecordBulkCommandProgress', bulkId: BULK, from, through, queued: through - from, alreadyQueued: 0, refused: [], ...over }) as BulkCommandCommand;
const progressed = (through: number, queued: number, alreadyQueued = 0, refused: Array<{ udid: string; code: string; detail: string }> = []): BulkCommandEvent =>
  ({ type: 'BulkCommandProgressed', data: { bulkId: BULK, through, queued, alreadyQueued, refused } });

describe('bulk command decider', () => {
  it('records the request with its first part of the device list', () => spec.given([]).when(request()).then([requested]));

  it('refuses an empty list, an oversize list, invalid and repeated UDIDs', () => {
    spec.given([]).when(request({ udids: [], total: 0 })).thenThrows('bulk-no-devices');
    spec.given([]).when(request({ total: MAX_BULK_DEVICES + 1 })).thenThrows('bulk-too-large');
    spec.given([]).when(request({ udids: [...UDIDS.slice(0, 3), 'not a udid!'] })).thenThrows('invalid-udid');
    spec.given([]).when(request({ udids: [udid(1), udid(1)], total: 2 })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ udids: Array.from({ length: MAX_UDIDS_PER_EVENT + 1 }, (_, i) => udid(i)), total: MAX_UDIDS_PER_EVENT + 1 })).thenThrows('invalid-bulk');
  });

  it('refuses a malformed bulk id, target, priority or time to live', () => {
    spec.given([]).when(request({ bulkId: 'bulk-1' })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ target: { kind: 'group', group: 'Not A Group' } })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ target: { kind: 'everything' } as never })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ target: { kind: 'selection', filter: [] as never } })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ priority: 101 })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ ttlSeconds: 0 })).thenThrows('invalid-bulk');
  });

  it('keeps a selection filter as given', () => {
    const target = { kind: 'selection' as const, filter: { osVersion: { $lt: '17.4' }, model: 'iPad' } };
    expect(bulkCommandDecider.decide(request({ target }), bulkCommandDecider.initialState())[0]!.data).to.deep.include({ target });
  });

  it('refuses a request that carries a secret in clear, or does not match its request type', () => {
    spec.given([]).when(request({ request: { requestType: 'DeviceLock', PIN: '739164' } })).thenThrows('clear-secret');
    spec.given([]).when(request({ request: { requestType: 'EraseDevice', PIN: { sealed: '123456' } }, requestType: 'EraseDevice' })).thenThrows('clear-secret');
    spec.given([]).when(request({ request: { requestType: 'EraseDevice' } })).thenThrows('invalid-bulk');
    spec.given([]).when(request({ request: { requestType: 'Shutdown' }, requestType: 'Shutdown' as never })).thenThrows('invalid-bulk');
  });

  it('a re-sent request changes nothing; other content under the same id is refused', () => {
    spec.given([requested]).when(request({ at: LATER, requestedBy: 'operator:bob' })).thenNothing();
    spec.given([requested]).when(request({ requestFingerprint: 'e'.repeat(64) })).thenThrows('bulk-exists');
    spec.given([requested]).when(request({ udidsSha256: 'b'.repeat(64) })).thenThrows('bulk-exists');
    spec.given([requested]).when(request({ target: { kind: 'devices' } })).thenThrows('bulk-exists');
    spec.given([requested]).when(request({ priority: 90 })).thenThrows('bulk-exists');
  });

  it('lists the rest of a long device list in order, once', () => {
    const first: BulkCommandEvent = { type: 'BulkCommandRequested', data: requestedData({ udids: UDIDS.slice(0, 2) }) };
    const part = (offset: number, udids: string[]): BulkCommandCommand => ({ type: 'ListBulkCommandDevices', bulkId: BULK, offset, udids });
    const listed: BulkCommandEvent = { type: 'BulkCommandDevicesListed', data: { bulkId: BULK, offset: 2, udids: UDIDS.slice(2) } };
    spec.given([first]).when(part(2, UDIDS.slice(2))).then([listed]);
    spec.given([first, listed]).when(part(2, UDIDS.slice(2))).thenNothing();
    spec.given([first]).when(part(3, UDIDS.slice(3))).thenThrows('invalid-bulk');
    spec.given([first]).when(part(2, [udid(1), udid(9)])).thenThrows('invalid-bulk');
    spec.given([first]).when(part(2, [udid(7), udid(8), udid(9)])).thenThrows('invalid-bulk');
    spec.given([]).when(part(0, UDIDS)).thenThrows('unknown-bulk');
    // No progress beyond what is listed.
    spec.given([first]).when(progress(0, 3)).thenThrows('bulk-progress-invalid');
  });

  it('records progress chunk by chunk, refusing steps backwards, beyond the list, stale or not adding up', () => {
    const refusal = { udid: udid(2), code: 'not-enrolled', detail: 'device is not enrolled (unknown)' };
    spec.given([requested]).when(progress(0, 2, { queued: 1, refused: [refusal] })).then([progressed(2, 1, 0, [refusal])]);
    spec.given([requested, progressed(2, 2)]).when(progress(2, 2)).thenThrows('bulk-progress-invalid');
    spec.given([requested, progressed(2, 2)]).when(progress(2, 1)).thenThrows('bulk-progress-invalid');
    spec.given([requested, progressed(2, 2)]).when(progress(2, 5)).thenThrows('bulk-progress-invalid');
    spec.given([requested, progressed(2, 2)]).when(progress(0, 3)).thenThrows('bulk-progress-stale');
    spec.given([requested]).when(progress(0, 2, { queued: 1 })).thenThrows('bulk-progress-invalid');
    spec.given([requested]).when(progress(0, 2, { queued: 1, refused: [{ ...refusal, udid: udid(3) }] })).thenThrows('bulk-progress-invalid');
    spec.given([]).when(progress(0, 1)).thenThrows('unknown-bulk');
  });

  it('completes once every device is handled, with the totals; no progress after that', () => {
    const refusal = { udid: udid(4), code: 'not-enrolled', detail: 'no' };
    const history = [requested, progressed(2, 1, 1), progressed(4, 1, 0, [refusal])];
    spec.given([requested, progressed(2, 2)]).when({ type: 'CompleteBulkCommand', bulkId: BULK, at: LATER }).thenThrows('bulk-incomplete');
    spec.given(history).when({ type: 'CompleteBulkCommand', bulkId: BULK, at: LATER }).then([{ type: 'BulkCommandCompleted', data: { bulkId: BULK, queued: 2, alreadyQueued: 1, refused: 1, completedAt: LATER } }]);
    const completed: BulkCommandEvent = { type: 'BulkCommandCompleted', data: { bulkId: BULK, queued: 2, alreadyQueued: 1, refused: 1, completedAt: LATER } };
    spec.given([...history, completed]).when({ type: 'CompleteBulkCommand', bulkId: BULK, at: LATER }).thenNothing();
    spec.given([...history, completed]).when(progress(4, 5)).thenThrows('bulk-completed');
    const state = fold(bulkCommandDecider, [...history, completed]);
    expect({ through: state.through, queued: state.queued, alreadyQueued: state.alreadyQueued, refused: state.refused, completedAt: state.completedAt }).to.deep.equal({ through: 4, queued: 2, alreadyQueued: 1, refused: [refusal], completedAt: LATER });
  });
});

describe('bulk command index decider', () => {
  const ispec = deciderSpec(bulkCommandIndexDecider);
  const indexed = { type: 'BulkCommandIndexed' as const, data: { bulkId: BULK } };
  const closed = { type: 'BulkCommandIndexEntryClosed' as const, data: { bulkId: BULK } };
  it('indexes a bulk once and closes its entry once', () => {
    ispec.given([]).when({ type: 'IndexBulkCommand', bulkId: BULK }).then([indexed]);
    ispec.given([indexed]).when({ type: 'IndexBulkCommand', bulkId: BULK }).thenNothing();
    ispec.given([indexed]).when({ type: 'CloseBulkCommandIndexEntry', bulkId: BULK }).then([closed]);
    ispec.given([indexed, closed]).when({ type: 'CloseBulkCommandIndexEntry', bulkId: BULK }).thenNothing();
    ispec.given([indexed, closed]).when({ type: 'IndexBulkCommand', bulkId: BULK }).thenNothing();
    expect([...fold(bulkCommandIndexDecider, [indexed]).open]).to.deep.equal([BULK]);
    expect([...fold(bulkCommandIndexDecider, [indexed, closed]).open]).to.deep.equal([]);
  });
});
