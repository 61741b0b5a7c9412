import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditCheckpoints, type CheckpointRun } from '../../application/audit/audit-checkpoints.js';
import { AuditVerifier } from '../../application/audit/audit-verifier.js';
import { AUDIT_CHECKPOINT_STREAM, parseCheckpoint, type AuditCheckpointSignedData } from '../../application/audit/checkpoint-event.js';
import { startAuditCheckpointJob } from '../../application/audit/checkpoint-job.js';
import { systemClock } from '../../application/ports/clock.js';
import { ConcurrencyError } from '../../application/ports/event-store.js';
import { loadOrCreateAuditKey } from '../../infrastructure/audit/audit-key-file.js';
import { HmacCheckpointSigner } from '../../infrastructure/audit/hmac-checkpoint-signer.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { tempDir } from '../support/temp-dir.js';
import { appendNotes, withSqliteStore } from './audit-fixture.js';

const checkpointsOf = async (store: Parameters<Parameters<typeof withSqliteStore>[1]>[0]): Promise<AuditCheckpointSignedData[]> =>
  (await store.readStream(AUDIT_CHECKPOINT_STREAM)).map((e) => {
    const parsed = parseCheckpoint(e.data);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.checkpoint;
  });

describe('AuditCheckpoints', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  const signer = new HmacCheckpointSigner(randomBytes(32));
  beforeEach(() => (dir = tempDir('mdm-audit-cp-')));
  afterEach(() => dir.remove());

  it('splits a large delta into chained parts, each covering a prefix of the store, and appends nothing when nothing changed', async () => {
    await withSqliteStore(dir.path, async (store) => {
      for (const s of ['s1', 's2', 's3', 's4', 's5']) await appendNotes(store, `note-${s}`, 2);
      await appendNotes(store, 'note-s1', 1);
      const checkpoints = new AuditCheckpoints(store, signer, systemClock, { maxHeadsPerEvent: 2, pageSize: 3 });
      const run = await checkpoints.run();
      expect(run).to.include({ appended: 3, streams: 5, sequence: 3, position: 11 });
      const parts = await checkpointsOf(store);
      expect(parts.map((p) => p.sequence)).to.deep.equal([1, 2, 3]);
      expect(parts.map((p) => Object.keys(p.heads).length)).to.deep.equal([2, 2, 1]);
      // Ordered by the heads' positions: note-s1's head is the last event.
      expect(Object.keys(parts[2]!.heads)).to.deep.equal(['note-s1']);
      // s2 and s3 end at 4 and 6, s4 and s5 at 8 and 10, s1 at 11. But s1 also changed at 1 and 2
      // and is recorded only by the last part: the first two cover nothing before it (position 0),
      // or a verifier would find s1's first events inside their coverage, unrecorded.
      expect(parts.map((p) => p.position)).to.deep.equal([0, 0, 11]);
      expect(parts[1]!.previous).to.equal(parts[0]!.signature);
      expect(parts[2]!.previous).to.equal(parts[1]!.signature);

      expect(await checkpoints.run()).to.deep.include({ appended: 0, sequence: 3 });
      expect(await checkpointsOf(store)).to.have.length(3);
      expect((await new AuditVerifier(store, [signer]).verify()).ok).to.equal(true);
    });
  });

  it('a part covers the store up to the first change of a stream a later part records', async () => {
    await withSqliteStore(dir.path, async (store) => {
      for (const s of ['s1', 's2', 's3', 's4']) await appendNotes(store, `note-${s}`, 2);
      // Positions: s1 1-2, s2 3-4, s3 5-6, s4 7-8; then s3 again at 9.
      await appendNotes(store, 'note-s3', 1);
      await new AuditCheckpoints(store, signer, systemClock, { maxHeadsPerEvent: 2 }).run();
      const parts = await checkpointsOf(store);
      expect(parts.map((p) => Object.keys(p.heads))).to.deep.equal([['note-s1', 'note-s2'], ['note-s4', 'note-s3']]);
      // The first part records s1 and s2 (ending at 4) and stops before s3's first change at 5.
      expect(parts.map((p) => p.position)).to.deep.equal([4, 9]);
      expect((await new AuditVerifier(store, [signer]).verify()).ok).to.equal(true);
    });
  });

  it('an empty store has nothing to checkpoint', async () => {
    await withSqliteStore(dir.path, async (store) => {
      expect(await new AuditCheckpoints(store, signer, systemClock).run()).to.deep.equal({ appended: 0, streams: 0 });
      expect(await store.readStream(AUDIT_CHECKPOINT_STREAM)).to.deep.equal([]);
    });
  });

  it('two writers at once cannot fork the chain: one of them gets a ConcurrencyError', async () => {
    await withSqliteStore(dir.path, async (store) => {
      await appendNotes(store, 'note-x', 3);
      const outcomes = await Promise.allSettled([new AuditCheckpoints(store, signer, systemClock).run(), new AuditCheckpoints(store, signer, systemClock).run()]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected?.reason).to.be.instanceOf(ConcurrencyError);
      expect(await checkpointsOf(store)).to.have.length(1);
    });
  });

  it('refuses to chain onto a last checkpoint that is not one', async () => {
    await withSqliteStore(dir.path, async (store) => {
      await store.append(AUDIT_CHECKPOINT_STREAM, [{ eventId: '6f1b1c1e-0c1a-4f5e-9a55-1d2c3b4a5f60', type: 'AuditCheckpointSigned', data: { sequence: 'one' } }], 'no-stream');
      await appendNotes(store, 'note-y', 1);
      let error = undefined as Error | undefined;
      await new AuditCheckpoints(store, signer, systemClock).run().catch((e: Error) => (error = e));
      expect(error?.message).to.match(/last audit checkpoint \(revision 0\) is malformed: sequence/);
    });
  });

  it('the job runs at start and on each tick, logs a failure and tries again, and stop waits for a run', async () => {
    const lines: string[] = [];
    const logger = jsonLogger({ level: 'info', write: (l) => lines.push(l) });
    await withSqliteStore(dir.path, async (store) => {
      await appendNotes(store, 'note-z', 2);
      const real = new AuditCheckpoints(store, signer, systemClock);
      let calls = 0;
      const runs: CheckpointRun[] = [];
      const stop = startAuditCheckpointJob({
        checkpoints: { run: () => (++calls === 1 ? Promise.reject(new Error('store unavailable')) : real.run()) },
        intervalMs: 20,
        logger,
        onRun: (run) => runs.push(run),
      });
      const deadline = Date.now() + 5_000;
      while (runs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await stop();
      const after = calls;
      await new Promise((r) => setTimeout(r, 60));
      expect(calls, 'no run after stop').to.equal(after);
      expect(runs[0]).to.include({ appended: 1, sequence: 1 });
      expect(runs[1]).to.include({ appended: 0 });
    });
    const logged = lines.map((l) => JSON.parse(l) as { level: string; msg?: string; message?: string; error?: string });
    expect(logged.some((l) => l.level === 'error' && l.error === 'store unavailable')).to.equal(true);
    expect(() => startAuditCheckpointJob({ checkpoints: { run: async () => ({ appended: 0, streams: 0 }) }, intervalMs: 0, logger })).to.throw(RangeError);
  });
});

describe('audit checkpoint key file', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('mdm-audit-key-')));
  afterEach(() => dir.remove());

  it('is created once, 0600 in a 0700 directory, and read back the same', async () => {
    const path = join(dir.path, 'audit', 'checkpoint.key');
    const created = await loadOrCreateAuditKey(path, { create: true });
    expect(created.created).to.equal(true);
    expect(created.key).to.have.length(32);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir.path, 'audit')).mode & 0o777).to.equal(0o700);
    const again = await loadOrCreateAuditKey(path, { create: true });
    expect(again.created).to.equal(false);
    expect(again.key.equals(created.key)).to.equal(true);
    expect(new HmacCheckpointSigner(again.key).keyId).to.equal(new HmacCheckpointSigner(created.key).keyId);
  });

  it('is never invented when it may not be, and a malformed one is refused without echoing it', async () => {
    const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);
    let error = await rejection(loadOrCreateAuditKey(join(dir.path, 'absent.key'), { create: false }));
    expect(error?.message).to.match(/not found.*MDM_AUDIT_KEY_FILE/);
    mkdirSync(join(dir.path, 'k'));
    writeFileSync(join(dir.path, 'k', 'bad.key'), 'not-a-key-secret-words\n', { mode: 0o600 });
    error = await rejection(loadOrCreateAuditKey(join(dir.path, 'k', 'bad.key'), { create: true }));
    expect(error?.message).to.match(/must hold 32 bytes as 64 hex characters/);
    expect(error?.message).to.not.contain('secret-words');
  });

  it('signatures verify only under the same key and for the same bytes', () => {
    const key = randomBytes(32);
    const a = new HmacCheckpointSigner(key);
    const signature = a.sign(Buffer.from('checkpoint'));
    expect(new HmacCheckpointSigner(Buffer.from(key)).verify(Buffer.from('checkpoint'), signature)).to.equal(true);
    expect(a.verify(Buffer.from('checkpoinT'), signature)).to.equal(false);
    expect(new HmacCheckpointSigner(randomBytes(32)).verify(Buffer.from('checkpoint'), signature)).to.equal(false);
    expect(a.verify(Buffer.from('checkpoint'), 'hs256.zz')).to.equal(false);
  });
});
