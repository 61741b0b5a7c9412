import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AuditCheckpoints } from '../../application/audit/audit-checkpoints.js';
import { AuditVerifier } from '../../application/audit/audit-verifier.js';
import { exportEvents } from '../../application/audit/event-export.js';
import { systemClock } from '../../application/ports/clock.js';
import { HmacCheckpointSigner } from '../../infrastructure/audit/hmac-checkpoint-signer.js';
import { EsdbEventStore } from '../../infrastructure/eventstore/esdb/esdb-event-store.js';
import { startEsdbStandin } from '../support/esdb-standin.js';
import { appendNotes } from './audit-fixture.js';

describe('audit on the EventStoreDB adapter (stand-in)', function () {
  this.timeout(30_000);

  it('checkpoints, verifies and exports through the same port, with EventStoreDB positions', async () => {
    const standin = await startEsdbStandin();
    const store = EsdbEventStore.connect(standin.connectionString, { deadlineMs: 5_000 });
    try {
      const signer = new HmacCheckpointSigner(randomBytes(32));
      await appendNotes(store, 'note-a', 3);
      await appendNotes(store, 'note-b', 2);
      const checkpoints = new AuditCheckpoints(store, signer, systemClock, { pageSize: 2 });
      expect(await checkpoints.run()).to.include({ appended: 1, streams: 2, sequence: 1 });
      await appendNotes(store, 'note-b', 1);
      expect(await checkpoints.run()).to.include({ appended: 1, streams: 1, sequence: 2 });
      expect(await checkpoints.run()).to.include({ appended: 0, sequence: 2 });
      const report = await new AuditVerifier(store, [signer], { pageSize: 2 }).verify();
      expect(report).to.include({ ok: true, eventsChecked: 8, streamsChecked: 3, checkpointsChecked: 2 });
      const exported = [];
      for await (const e of exportEvents(store, { streamId: 'note-b' }, { pageSize: 2 })) exported.push(e.revision);
      expect(exported).to.deep.equal([0, 1, 2]);
    } finally {
      await store.close();
      await standin.stop();
    }
  });
});
