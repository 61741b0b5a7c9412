import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportEvents, type ExportedEvent } from '../../application/audit/event-export.js';
import { CLI } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { appendNotes, tamper, withSqliteStore } from './audit-fixture.js';
import { enrollAndCheckOut, UDID, UNLOCK_TOKEN } from './device-fixture.js';

/** The compiled CLI to completion; output collected until the streams close. */
function mdm(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const hasPython = spawnSync('python3', ['-c', 'import json'], { stdio: 'ignore' }).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (ndjson: string) => ndjson.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as ExportedEvent);

describe('mdm audit', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  /** Between the notes of note-a and those of note-b. */
  let middle: Date;

  before(async () => {
    dir = tempDir('mdm-audit-cli-');
    env = { MDM_DATA_DIR: dir.path };
    await enrollAndCheckOut(dir.path);
    await withSqliteStore(dir.path, async (store) => {
      await appendNotes(store, 'note-a', 2);
      await sleep(25);
      middle = new Date();
      await sleep(25);
      await appendNotes(store, 'note-b', 2, 'OtherThing');
    });
  });
  after(() => dir?.remove());

  it('documents every subcommand', async () => {
    for (const args of [['audit', '--help'], ['audit', 'verify', '--help'], ['audit', 'export', '--help'], ['audit', 'checkpoint', '--help'], ['audit', 'device-at', '--help']]) {
      const r = await mdm(args, env);
      expect(r.code, args.join(' ')).to.equal(0);
      expect(r.stdout).to.contain('Usage: mdm audit');
      for (const word of ['verify', 'export', 'checkpoint', 'device-at', '--since', '--key-file']) expect(r.stdout).to.contain(word);
    }
  });

  it('refuses bad options with one clear line and exit 2', async () => {
    writeFileSync(join(dir.path, 'existing.ndjson'), '');
    for (const [args, pattern] of [
      [['audit'], /a subcommand is needed/],
      [['audit', 'replay'], /unknown subcommand "replay"/],
      [['audit', 'export', '--since', 'yesterday'], /--since takes an ISO-8601 date/],
      [['audit', 'export', '--until', '2026-02-01T10:00:00'], /--until takes an ISO-8601 date or time with a zone/],
      [['audit', 'export', '--since', '2026-02-02', '--until', '2026-02-01'], /--since must be before --until/],
      [['audit', 'export', '--type', 'has space'], /--type takes an event type/],
      [['audit', 'export', '--output', join(dir.path, 'existing.ndjson')], /exists; choose a new file/],
      [['audit', 'export', '--format', 'csv'], /Unknown option '--format'/],
      [['audit', 'verify', '--key-file', join(dir.path, 'nope.key')], /--key-file .* does not exist/],
      [['audit', 'device-at', UDID], /device-at needs --at/],
      [['audit', 'device-at', 'x', '--at', '2026-03-01'], /device-at takes one UDID/],
      [['audit', 'device-at', UDID, '--at', '2026-13-45'], /--at takes an ISO-8601/],
      [['audit', 'checkpoint', 'now'], /Unexpected argument 'now'/],
    ] as const) {
      const r = await mdm([...args], env);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.match(pattern);
    }
  });

  it('checkpoint creates the key (0600 in a 0700 directory) and appends; verify then passes, and fails once the file is tampered with', async () => {
    const first = await mdm(['audit', 'checkpoint'], env);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^checkpoint 1 appended: 4 stream\(s\) up to position 10 \(1 event\(s\)\)\nsignature: hs256\.[0-9a-f]{64}\n$/);
    const keyFile = join(dir.path, 'audit', 'checkpoint.key');
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir.path, 'audit')).mode & 0o777).to.equal(0o700);
    expect((await mdm(['audit', 'checkpoint'], env)).stdout).to.equal('no change since checkpoint 1 (position 10)\n');

    const clean = await mdm(['audit', 'verify'], env);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('events checked:      11').and.contain('checkpoints checked: 1').and.contain('result:              ok');

    // A different key: every checkpoint is a bad signature until the old key is given.
    const otherKey = join(dir.path, 'other.key');
    writeFileSync(otherKey, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const wrongKey = await mdm(['audit', 'verify', '--json'], { ...env, MDM_AUDIT_KEY_FILE: otherKey });
    expect(wrongKey.code).to.equal(1);
    expect((JSON.parse(wrongKey.stdout) as { findings: Array<{ kind: string }> }).findings.map((f) => f.kind)).to.deep.equal(['bad-signature']);
    expect((await mdm(['audit', 'verify', '--key-file', keyFile], { ...env, MDM_AUDIT_KEY_FILE: otherKey })).code).to.equal(0);

    const saved = readFileSync(join(dir.path, 'events.db'));
    try {
      tamper(dir.path, "UPDATE events SET data = json_set(data, '$.text', 'changed') WHERE stream_id = 'note-b' AND revision = 0");
      tamper(dir.path, "DELETE FROM events WHERE stream_id = 'note-a' AND revision = 1");
      const report = await mdm(['audit', 'verify', '--json'], env);
      expect(report.code).to.equal(1);
      const parsed = JSON.parse(report.stdout) as { ok: boolean; findings: Array<{ kind: string; streamId: string; revision: number }> };
      expect(parsed.ok).to.equal(false);
      expect(parsed.findings.map((f) => [f.kind, f.streamId, f.revision])).to.deep.equal([
        ['tampered-event', 'note-b', 0],
        ['truncated-stream', 'note-a', 1],
      ]);
      const human = await mdm(['audit', 'verify'], env);
      expect(human.code).to.equal(1);
      expect(human.stdout).to.contain('result:              2 finding(s)').and.match(/^truncated-stream: note-a, revision 1: checkpoint 1 recorded revision 1/m);
    } finally {
      writeFileSync(join(dir.path, 'events.db'), saved);
    }
  });

  it('export writes every matching event as stored, one JSON object per line, filtered by stream, type and time', async () => {
    const all = await mdm(['audit', 'export'], env);
    expect(all.code, all.stderr).to.equal(0);
    const events = lines(all.stdout);
    const stored = await withSqliteStore(dir.path, (store) => store.readAll({ maxCount: 1000 }));
    expect(events).to.deep.equal(stored.map(({ position, streamId, revision, eventId, type, data, metadata, recordedAt }) => ({ position, streamId, revision, eventId, type, data, metadata, recordedAt })));
    expect(Object.keys(events[0]!)).to.deep.equal(['position', 'streamId', 'revision', 'eventId', 'type', 'data', 'metadata', 'recordedAt']);
    expect(all.stderr).to.match(/exported \d+ event\(s\)/);
    // Secrets leave as they are stored: sealed, never opened.
    expect(all.stdout).to.match(/"sealed":"sb1\./);
    for (const clear of [UNLOCK_TOKEN.toString('utf8'), UNLOCK_TOKEN.toString('base64'), UNLOCK_TOKEN.toString('hex')]) expect(all.stdout).to.not.contain(clear);

    const device = lines((await mdm(['audit', 'export', '--stream', `device-${UDID}`], env)).stdout);
    expect(device.map((e) => e.revision)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(new Set(device.map((e) => e.streamId))).to.deep.equal(new Set([`device-${UDID}`]));

    const typed = lines((await mdm(['audit', 'export', '--type', 'OtherThing', '--type', 'DeviceCheckedOut'], env)).stdout);
    expect(typed.map((e) => e.type)).to.deep.equal(['DeviceCheckedOut', 'OtherThing', 'OtherThing']);

    // (The checkpoint stream may have grown meanwhile: only the notes are looked at.)
    const since = lines((await mdm(['audit', 'export', '--since', middle.toISOString(), '--type', 'NoteWritten', '--type', 'OtherThing'], env)).stdout);
    expect(since.map((e) => e.streamId)).to.deep.equal(['note-b', 'note-b']);
    const until = lines((await mdm(['audit', 'export', '--until', middle.toISOString(), '--type', 'NoteWritten'], env)).stdout);
    expect(until.map((e) => `${e.streamId}/${e.revision}`)).to.deep.equal(['note-a/0', 'note-a/1']);

    const output = join(dir.path, 'export.ndjson');
    const toFile = await mdm(['audit', 'export', '--stream', 'note-b', '--output', output], env);
    expect(toFile.code, toFile.stderr).to.equal(0);
    expect(toFile.stdout).to.equal('');
    expect(toFile.stderr).to.contain(`exported 2 event(s) to ${output}`);
    expect(statSync(output).mode & 0o777).to.equal(0o600);
    expect(lines(readFileSync(output, 'utf8')).map((e) => e.type)).to.deep.equal(['OtherThing', 'OtherThing']);
  });

  it('export lines parse with an independent JSON parser (python3)', async function () {
    if (!hasPython) {
      console.warn('      (skipped: python3 not found)');
      this.skip();
    }
    const output = join(dir.path, 'for-python.ndjson');
    expect((await mdm(['audit', 'export', '--output', output], env)).code).to.equal(0);
    const script = 'import json,sys\nrows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]\nprint(json.dumps([[r["position"],r["streamId"],r["revision"],r["type"],r["metadata"]["hash"]] for r in rows]))';
    const python = spawnSync('python3', ['-c', script, output], { encoding: 'utf8' });
    expect(python.status, python.stderr).to.equal(0);
    const expected = await withSqliteStore(dir.path, (store) => store.readAll({ maxCount: 1000 }));
    expect(JSON.parse(python.stdout)).to.deep.equal(expected.map((e) => [e.position, e.streamId, e.revision, e.type, e.metadata.hash]));
  });

  it('exportEvents pages through the store and reports progress', async () => {
    const progress: number[] = [];
    const got: ExportedEvent[] = [];
    await withSqliteStore(dir.path, async (store) => {
      for await (const e of exportEvents(store, { types: ['NoteWritten', 'OtherThing'] }, { pageSize: 3, onProgress: (p) => progress.push(p.read) })) got.push(e);
    });
    expect(got.map((e) => e.streamId)).to.deep.equal(['note-a', 'note-a', 'note-b', 'note-b']);
    expect(progress[progress.length - 1]).to.be.greaterThanOrEqual(9);
    expect(progress.every((n, i) => i === 0 || n > progress[i - 1]!)).to.equal(true);
  });

  it('device-at shows the device as it stood, without its unlock token', async () => {
    const human = await mdm(['audit', 'device-at', UDID, '--at', '2026-03-01T11:00:00Z'], env);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.contain('status:        enrolled').and.contain('unlock token:  present (not shown)').and.contain('DeviceLock  queued');
    const json = await mdm(['audit', 'device-at', UDID, '--at', '2026-03-01T12:30:00Z', '--json'], env);
    expect(json.code).to.equal(0);
    const parsed = JSON.parse(json.stdout) as { udid: string; revision: number; state: { status: string } };
    expect(parsed).to.include({ udid: UDID, revision: 4 });
    expect(parsed.state.status).to.equal('checked-out');
    for (const out of [human.stdout, json.stdout]) expect(out).to.not.match(/sb1\./);
    const before = await mdm(['audit', 'device-at', UDID, '--at', '2026-02-01'], env);
    expect(before.code).to.equal(1);
    expect(before.stderr).to.contain('has no events at or before 2026-02-01T00:00:00.000Z');
    expect(existsSync(join(dir.path, 'events.db'))).to.equal(true);
  });
});
