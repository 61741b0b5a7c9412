import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_CHECKPOINT_STREAM } from '../../application/audit/checkpoint-event.js';
import { systemClock } from '../../application/ports/clock.js';
import { startAuditCheckpointing } from '../../infrastructure/audit/audit-checkpointing.js';
import { loadConfig } from '../../infrastructure/config/load-config.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { tempDir } from '../support/temp-dir.js';
import { appendNotes, withSqliteStore } from './audit-fixture.js';

describe('startAuditCheckpointing (server wiring)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let lines: string[];
  const logger = () => jsonLogger({ level: 'info', write: (l) => lines.push(l) });
  beforeEach(() => {
    dir = tempDir('mdm-audit-wiring-');
    lines = [];
  });
  afterEach(() => dir.remove());

  it('reads MDM_AUDIT_CHECKPOINT_SECONDS and MDM_AUDIT_KEY_FILE', () => {
    expect(loadConfig({ MDM_DATA_DIR: dir.path }).audit).to.deep.equal({ keyFile: join(dir.path, 'audit', 'checkpoint.key'), createKey: true, checkpointIntervalMs: 300_000 });
    expect(loadConfig({ MDM_DATA_DIR: dir.path, MDM_AUDIT_CHECKPOINT_SECONDS: '0' }).audit.checkpointIntervalMs).to.equal(0);
    expect(() => loadConfig({ MDM_DATA_DIR: dir.path, MDM_AUDIT_CHECKPOINT_SECONDS: '5m' })).to.throw(/MDM_AUDIT_CHECKPOINT_SECONDS: must be a whole number from 0 to 86400/);
    expect(() => loadConfig({ MDM_DATA_DIR: dir.path, MDM_AUDIT_KEY_FILE: join(dir.path, 'none.key') })).to.throw(/MDM_AUDIT_KEY_FILE: file .* does not exist/);
    const secretsKey = join(dir.path, 'secrets.key');
    writeFileSync(secretsKey, `${'11'.repeat(32)}\n`, { mode: 0o600 });
    const esdb = loadConfig({ MDM_DATA_DIR: dir.path, MDM_EVENT_STORE: 'esdb', ESDB_URL: 'esdb://localhost:2113?tls=false', MDM_SECRETS_KEY_FILE: secretsKey }).audit;
    expect(esdb.createKey).to.equal(false);
  });

  it('off with interval 0; off with a warning when the key may not be created; otherwise creates the key and checkpoints at start', async () => {
    await withSqliteStore(dir.path, async (store) => {
      await appendNotes(store, 'note-a', 2);
      const keyFile = join(dir.path, 'audit', 'checkpoint.key');
      expect(await startAuditCheckpointing({ audit: { keyFile, createKey: true, checkpointIntervalMs: 0 } }, store, systemClock, logger())).to.equal(undefined);
      expect(await startAuditCheckpointing({ audit: { keyFile, createKey: false, checkpointIntervalMs: 1000 } }, store, systemClock, logger())).to.equal(undefined);
      expect(lines.join('')).to.contain('audit checkpoints are off').and.contain('MDM_AUDIT_KEY_FILE');
      expect(existsSync(keyFile)).to.equal(false);

      const stop = await startAuditCheckpointing({ audit: { keyFile, createKey: true, checkpointIntervalMs: 60_000 } }, store, systemClock, logger());
      expect(stop).to.be.a('function');
      const deadline = Date.now() + 5_000;
      while ((await store.readStream(AUDIT_CHECKPOINT_STREAM)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await stop!();
      expect(await store.readStream(AUDIT_CHECKPOINT_STREAM)).to.have.length(1);
      expect(existsSync(keyFile)).to.equal(true);
      expect(lines.join('')).to.contain('audit checkpoint key created').and.contain('audit checkpoint appended');
    });
  });
});
