import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { auditHistoryProjection } from '../../projections/audit-history.js';
import { expectEqualsFold, Stores } from './read-model-fixture.js';

const RUNNER_PROCESS = fileURLToPath(new URL('./runner-process.js', import.meta.url));

describe('projection runner killed with SIGKILL during catch-up', function () {
  this.timeout(90_000);
  let stores: Stores;
  beforeEach(() => (stores = new Stores()));
  afterEach(() => stores.close());

  it('a fresh runner completes from the checkpoints the killed one committed: every event applied exactly once', async () => {
    const written = await writeSyntheticFleet(stores.events, { devices: 40, eventsPerDevice: 100 });
    const head = await stores.head();
    const child = spawn(process.execPath, [RUNNER_PROCESS, stores.eventsFile, stores.documentsFile, '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));

    // Another connection to the read-model file, watching the child's progress.
    const watcher = openSqliteDocumentStore(stores.documentsFile);
    let seen = 0;
    try {
      const until = Date.now() + 30_000;
      for (;;) {
        expect(child.exitCode, `the child exited early: ${stderr}`).to.equal(null);
        const audit = await watcher.readCheckpoint(auditHistoryProjection.name).catch(() => undefined);
        seen = audit?.position ?? 0;
        // Moved more than once, far from the end: the kill lands mid-way.
        if (seen > 200) break;
        if (Date.now() > until) throw new Error(`the child made no progress: ${stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      expect(await exited).to.equal('SIGKILL');
      const left = await watcher.listCheckpoints();
      expect(left.map((c) => c.name).sort()).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => p.name).sort());
      for (const checkpoint of left) expect(checkpoint.position, `${checkpoint.name} was stopped mid-way`).to.be.lessThan(head);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await watcher.close();
    }

    const batches: number[] = [];
    const runner = stores.runner(READ_MODEL_PROJECTIONS, { batchSize: 500, onBatch: (n) => batches.push(n) });
    await runner.start();
    expect(await runner.waitFor(head, 30_000)).to.equal(true);
    // It did not start over.
    expect(batches.reduce((a, b) => a + b, 0)).to.be.lessThan(written - seen + 1);
    for (const projection of READ_MODEL_PROJECTIONS) await expectEqualsFold(stores, projection);
  });
});
