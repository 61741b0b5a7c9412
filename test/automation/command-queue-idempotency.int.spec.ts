import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { tempDir } from '../support/temp-dir.js';
import { AutomationFixture } from './automation-fixture.js';

describe('CommandQueueService: a caller-chosen CommandUUID queues once', () => {
  let dir: ReturnType<typeof tempDir>;
  let f: AutomationFixture;
  beforeEach(async () => {
    dir = tempDir();
    f = await AutomationFixture.open(dir.path);
  });
  afterEach(async () => {
    await f.close();
    dir.remove();
  });

  const actor = { kind: 'system' as const, id: 'test' };
  const udid = '00008030-0000000000000A1E';

  it('while queued, after it finished, after a restart, and from two callers at once', async () => {
    await f.enroll(udid);
    const commandUuid = randomUUID();
    const request = { requestType: 'SecurityInfo' };
    expect(await f.queue.enqueue([udid], request, { commandUuid, actor })).to.deep.equal([{ udid, outcome: 'queued' }]);
    expect(await f.queue.enqueue([udid], request, { commandUuid, actor })).to.deep.equal([{ udid, outcome: 'already-queued' }]);
    await f.queue.cancel(udid, commandUuid, actor);
    expect(await f.queue.enqueue([udid], request, { commandUuid, actor }), 'after it finished').to.deep.equal([{ udid, outcome: 'already-queued' }]);
    await f.reopen();
    expect(await f.queue.enqueue([udid], request, { commandUuid, actor }), 'a fresh process').to.deep.equal([{ udid, outcome: 'already-queued' }]);

    const racing = randomUUID();
    const outcomes = await Promise.all([f.queue.enqueue([udid], request, { commandUuid: racing, actor }), f.queue.enqueue([udid], request, { commandUuid: racing, actor })]);
    expect(outcomes.map((o) => o[0]!.outcome).sort()).to.deep.equal(['already-queued', 'queued']);
    expect(await f.queuedRequests(udid)).to.deep.equal(['SecurityInfo', 'SecurityInfo']);
  });
});
