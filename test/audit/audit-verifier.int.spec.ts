import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AuditCheckpoints } from '../../application/audit/audit-checkpoints.js';
import { AuditVerifier, type AuditReport, type Finding } from '../../application/audit/audit-verifier.js';
import { AUDIT_CHECKPOINT_STREAM, parseCheckpoint } from '../../application/audit/checkpoint-event.js';
import { systemClock } from '../../application/ports/clock.js';
import { HmacCheckpointSigner } from '../../infrastructure/audit/hmac-checkpoint-signer.js';
import { tempDir } from '../support/temp-dir.js';
import { appendNotes, rewriteWithValidChain, tamper, withSqliteStore } from './audit-fixture.js';

const kinds = (report: AuditReport) => report.findings.map((f) => f.kind);
const strip = (f: Finding) => ({ kind: f.kind, streamId: f.streamId, revision: f.revision });

describe('AuditVerifier on a real SQLite store', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  const signer = new HmacCheckpointSigner(randomBytes(32));

  /** Streams note-a (3 events, then 2 more), note-b (2), note-c (4); checkpoints 1 and 2. */
  beforeEach(async () => {
    dir = tempDir('mdm-audit-');
    await withSqliteStore(dir.path, async (store) => {
      await appendNotes(store, 'note-a', 3);
      await appendNotes(store, 'note-b', 2);
      await appendNotes(store, 'note-c', 4);
      const checkpoints = new AuditCheckpoints(store, signer, systemClock);
      expect((await checkpoints.run()).appended).to.equal(1);
      await appendNotes(store, 'note-a', 2);
      expect(await checkpoints.run()).to.include({ appended: 1, streams: 1, sequence: 2 });
    });
  });
  afterEach(() => dir.remove());

  const verify = (signers = [signer]) => withSqliteStore(dir.path, (store) => new AuditVerifier(store, signers).verify());

  it('a clean store verifies, counting every event, stream and checkpoint', async () => {
    const progress: number[] = [];
    const report = await withSqliteStore(dir.path, (store) => new AuditVerifier(store, [signer], { pageSize: 4, onProgress: (p) => p.phase === 'events' && progress.push(p.read) }).verify());
    expect(report).to.deep.equal({ eventsChecked: 13, streamsChecked: 4, checkpointsChecked: 2, findings: [], findingsOmitted: 0, ok: true });
    expect(progress).to.deep.equal([4, 8, 12, 13]);
  });

  it('an event whose data was changed in the file is a tampered-event of that stream and revision', async () => {
    expect(tamper(dir.path, "UPDATE events SET data = json_set(data, '$.text', 'rewritten') WHERE stream_id = 'note-c' AND revision = 1")).to.equal(1);
    const report = await verify();
    expect(report.ok).to.equal(false);
    expect(report.findings.map(strip)).to.deep.equal([{ kind: 'tampered-event', streamId: 'note-c', revision: 1 }]);
  });

  it('a rewrite that recomputes the whole chain is caught by the checkpointed head', async () => {
    await rewriteWithValidChain(dir.path, 'note-c', 2, (e) => ({ ...(e.data as object), text: 'forged' }));
    const report = await verify();
    expect(report.findings.map(strip)).to.deep.equal([{ kind: 'tampered-event', streamId: 'note-c', revision: 3 }]);
    expect(report.findings[0]!.detail).to.match(/checkpoint 1 recorded hash/);
  });

  it('a stream cut short (its tail rows and head fixed up) is a truncated-stream', async () => {
    expect(tamper(dir.path, "DELETE FROM events WHERE stream_id = 'note-c' AND revision >= 2")).to.equal(2);
    tamper(dir.path, "UPDATE streams SET revision = 1, hash = (SELECT json_extract(metadata, '$.hash') FROM events WHERE stream_id = 'note-c' AND revision = 1) WHERE stream_id = 'note-c'");
    const report = await verify();
    expect(report.findings.map(strip)).to.deep.equal([{ kind: 'truncated-stream', streamId: 'note-c', revision: 3 }]);
    expect(report.findings[0]!.detail).to.contain('now ends at revision 1');
  });

  it('a stream removed whole is a missing-stream', async () => {
    expect(tamper(dir.path, "DELETE FROM events WHERE stream_id = 'note-b'")).to.equal(2);
    tamper(dir.path, "DELETE FROM streams WHERE stream_id = 'note-b'");
    const report = await verify();
    expect(report.findings.map(strip)).to.deep.equal([{ kind: 'missing-stream', streamId: 'note-b', revision: 1 }]);
    expect(report.streamsChecked).to.equal(3);
  });

  it('a removed event in the middle is a revision gap, and the checkpoint still holds the head', async () => {
    tamper(dir.path, "DELETE FROM events WHERE stream_id = 'note-a' AND revision = 1");
    expect((await verify()).findings.map(strip)).to.deep.equal([{ kind: 'revision-gap', streamId: 'note-a', revision: 2 }]);
  });

  it('an altered checkpoint signature is a bad-signature, and the next checkpoint no longer links to it', async () => {
    tamper(dir.path, `UPDATE events SET data = json_set(data, '$.signature', 'hs256.${'0'.repeat(64)}') WHERE stream_id = ? AND revision = 0`, AUDIT_CHECKPOINT_STREAM);
    const report = await verify();
    expect(report.findings.map(strip)).to.deep.include({ kind: 'bad-signature', streamId: AUDIT_CHECKPOINT_STREAM, revision: 0 });
    expect(report.findings.map(strip)).to.deep.include({ kind: 'broken-checkpoint-chain', streamId: AUDIT_CHECKPOINT_STREAM, revision: 1 });
    // The event itself no longer matches its hash either.
    expect(report.findings.map(strip)).to.deep.include({ kind: 'tampered-event', streamId: AUDIT_CHECKPOINT_STREAM, revision: 0 });
  });

  it('checkpoints verified with another key are bad-signature, naming the key', async () => {
    const other = new HmacCheckpointSigner(randomBytes(32));
    const report = await verify([other]);
    expect(kinds(report)).to.deep.equal(['bad-signature', 'bad-signature']);
    expect(report.findings[0]!.detail).to.contain(signer.keyId).and.contain(other.keyId);
    // With the old key among the keys held, the same store verifies.
    expect((await verify([other, signer])).ok).to.equal(true);
  });

  it('a checkpoint forged with the right shape but without the key is a bad-signature and its heads are not trusted', async () => {
    tamper(dir.path, `UPDATE events SET data = json_set(data, '$.heads."note-b"', json_array(7, '${'ab'.repeat(32)}')) WHERE stream_id = ? AND revision = 1`, AUDIT_CHECKPOINT_STREAM);
    const report = await verify();
    expect(report.findings.map(strip)).to.deep.equal([
      { kind: 'bad-signature', streamId: AUDIT_CHECKPOINT_STREAM, revision: 1 },
      { kind: 'tampered-event', streamId: AUDIT_CHECKPOINT_STREAM, revision: 1 },
    ]);
  });

  it('a removed checkpoint breaks the checkpoint chain', async () => {
    tamper(dir.path, 'DELETE FROM events WHERE stream_id = ? AND revision = 0', AUDIT_CHECKPOINT_STREAM);
    const report = await verify();
    const found = report.findings.map(strip);
    expect(found.filter((f) => f.streamId === AUDIT_CHECKPOINT_STREAM)).to.deep.equal([
      { kind: 'broken-checkpoint-chain', streamId: AUDIT_CHECKPOINT_STREAM, revision: 1 },
      { kind: 'revision-gap', streamId: AUDIT_CHECKPOINT_STREAM, revision: 1 },
    ]);
    expect(report.findings[0]!.detail).to.contain('first checkpoint has sequence 2');
    // What only the removed checkpoint recorded is now unrecorded, inside checkpoint 2's coverage.
    expect(found.filter((f) => f.streamId !== AUDIT_CHECKPOINT_STREAM)).to.deep.equal([
      { kind: 'unrecorded-event', streamId: 'note-b', revision: 0 },
      { kind: 'unrecorded-event', streamId: 'note-b', revision: 1 },
      ...[0, 1, 2, 3].map((revision) => ({ kind: 'unrecorded-event', streamId: 'note-c', revision })),
    ]);
  });

  it('an event slipped in among checkpointed ones, with a valid chain of its own, is an unrecorded-event', async () => {
    await withSqliteStore(dir.path, (store) => appendNotes(store, 'note-late', 1));
    // Put where a checkpointed event was (its removal is caught as well), as if it had been there when the checkpoints were signed.
    expect(tamper(dir.path, `UPDATE events SET position = -position WHERE stream_id = 'note-b' AND revision = 1`)).to.equal(1);
    expect(tamper(dir.path, `UPDATE events SET position = -(SELECT position FROM events WHERE stream_id = 'note-b' AND revision = 1) WHERE stream_id = 'note-late'`)).to.equal(1);
    const report = await verify();
    const late = report.findings.filter((f) => f.streamId === 'note-late');
    expect(late.map(strip)).to.deep.equal([{ kind: 'unrecorded-event', streamId: 'note-late', revision: 0 }]);
    expect(late[0]!.detail).to.contain('no checkpoint recorded this stream');
    expect(report.findings.map(strip)).to.deep.include({ kind: 'truncated-stream', streamId: 'note-b', revision: 1 });
  });

  it('an event appended after the last checkpoint is not unrecorded: no checkpoint covers it yet', async () => {
    await withSqliteStore(dir.path, (store) => appendNotes(store, 'note-later', 1));
    expect((await verify()).findings).to.deep.equal([]);
  });

  it('a checkpoint event that is not a checkpoint is malformed', async () => {
    tamper(dir.path, "UPDATE events SET data = json_remove(data, '$.heads') WHERE stream_id = ? AND revision = 1", AUDIT_CHECKPOINT_STREAM);
    const report = await verify();
    expect(kinds(report)).to.deep.equal(['malformed-checkpoint', 'tampered-event']);
  });

  it('caps the findings it lists and counts the rest', async () => {
    tamper(dir.path, "UPDATE events SET data = json_set(data, '$.text', 'x') WHERE stream_id LIKE 'note-%'");
    const report = await withSqliteStore(dir.path, (store) => new AuditVerifier(store, [signer], { maxFindings: 3 }).verify());
    expect(report.findings).to.have.length(3);
    expect(report.findingsOmitted).to.equal(11 - 3);
    expect(report.ok).to.equal(false);
  });

  it('the checkpoints chain: sequence, previous signature, signed heads of the streams that changed', async () => {
    const events = await withSqliteStore(dir.path, (store) => store.readStream(AUDIT_CHECKPOINT_STREAM));
    const [first, second] = events.map((e) => {
      const parsed = parseCheckpoint(e.data);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.checkpoint;
    });
    expect(first).to.include({ sequence: 1, previous: null, position: 9, keyId: signer.keyId });
    expect(Object.keys(first!.heads).sort()).to.deep.equal(['note-a', 'note-b', 'note-c']);
    expect(first!.heads['note-c']![0]).to.equal(3);
    expect(second).to.include({ sequence: 2, previous: first!.signature });
    expect(second!.heads).to.have.keys(['note-a']);
    expect(second!.heads['note-a']![0]).to.equal(4);
  });
});
