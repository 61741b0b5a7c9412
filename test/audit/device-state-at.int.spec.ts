import { expect } from 'chai';
import { deviceStateAt } from '../../application/audit/device-state-at.js';
import { tempDir } from '../support/temp-dir.js';
import { withSqliteStore } from './audit-fixture.js';
import { enrollAndCheckOut, UDID, UNLOCK_TOKEN } from './device-fixture.js';

describe('deviceStateAt', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  before(async () => {
    dir = tempDir('mdm-audit-device-');
    await enrollAndCheckOut(dir.path);
  });
  after(() => dir.remove());

  const at = (iso: string) => withSqliteStore(dir.path, (store) => deviceStateAt(store, UDID, new Date(iso)));

  it('is undefined before the device\'s first event and for an unknown device', async () => {
    expect(await at('2026-03-01T09:59:59Z')).to.equal(undefined);
    expect(await withSqliteStore(dir.path, (store) => deviceStateAt(store, 'FFFFFFFF-0000', new Date('2030-01-01T00:00:00Z')))).to.equal(undefined);
  });

  it('between enrollment and CheckOut: enrolled, pushable, the unlock token only said to exist, sealed values redacted', async () => {
    const found = await at('2026-03-01T11:00:00Z');
    expect(found).to.include({ asOf: '2026-03-01T11:00:00.000Z', revision: 2, events: 3 });
    expect(found!.state).to.include({ status: 'enrolled', enrolledAt: '2026-03-01T10:05:00.000Z', hasUnlockToken: true, udid: UDID });
    expect(found!.state['unlockToken']).to.equal(undefined);
    const queue = (found!.state['queue'] as { queue: Array<{ request: Record<string, unknown> }> }).queue;
    expect(queue).to.have.length(1);
    expect(queue[0]!.request).to.deep.equal({ requestType: 'DeviceLock', PIN: '[sealed]' });
    const text = JSON.stringify(found);
    expect(text).to.not.match(/sb1\./);
    expect(text).to.not.contain(UNLOCK_TOKEN.toString('base64'));
    expect(JSON.parse(text)).to.deep.equal(found);
  });

  it('exactly at the TokenUpdate the device is enrolled; a moment before it is still enrolling', async () => {
    expect((await at('2026-03-01T10:05:00Z'))!.state['status']).to.equal('enrolled');
    expect((await at('2026-03-01T10:04:59.999Z'))!.state).to.include({ status: 'enrolling', hasUnlockToken: false });
  });

  it('after CheckOut: checked out, push coordinates and unlock token forgotten, the command cancelled', async () => {
    const found = await at('2026-03-01T12:30:00Z');
    expect(found).to.include({ revision: 4, events: 5 });
    expect(found!.state).to.include({ status: 'checked-out', hasUnlockToken: false });
    expect(found!.state['push']).to.equal(undefined);
    expect((found!.state['queue'] as { queue: unknown[] }).queue).to.deep.equal([]);
  });
});
