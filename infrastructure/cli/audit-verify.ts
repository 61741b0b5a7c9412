import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuditVerifier, type AuditReport } from '../../application/audit/audit-verifier.js';
import type { CheckpointSigner } from '../../application/ports/checkpoint-signer.js';
import { loadOrCreateAuditKey } from '../audit/audit-key-file.js';
import { HmacCheckpointSigner } from '../audit/hmac-checkpoint-signer.js';
import { parseOptions, usageError } from './options.js';
import { progressLine } from './progress.js';
import { withStore } from './store-session.js';

/** `mdm audit verify [--json] [--key-file FILE]...`: exit 0 when the store verifies, 1 with findings. */
export async function auditVerify(args: string[]): Promise<number> {
  const options = parseOptions(args, { json: { type: 'boolean' }, 'key-file': { type: 'string', multiple: true } });
  if (!options.ok) return usageError('audit', options.message);
  const extraKeyFiles = (options.parsed.values['key-file'] ?? []).map((f) => resolve(f));
  for (const file of extraKeyFiles) if (!existsSync(file)) return usageError('audit', `--key-file ${file} does not exist`);
  return withStore('audit', async ({ config, store }) => {
    const signers: CheckpointSigner[] = [];
    for (const file of [config.audit.keyFile, ...extraKeyFiles]) {
      if (file === config.audit.keyFile && !existsSync(file)) {
        process.stderr.write(`mdm audit: no checkpoint key at ${file}: checkpoints cannot be verified (set MDM_AUDIT_KEY_FILE or pass --key-file)\n`);
        continue;
      }
      try {
        signers.push(new HmacCheckpointSigner((await loadOrCreateAuditKey(file, { create: false })).key));
      } catch (error) {
        return usageError('audit', (error as Error).message);
      }
    }
    const progress = progressLine('audit verify');
    const report = await new AuditVerifier(store, signers, {
      onProgress: (p) => progress(() => `${p.phase === 'checkpoints' ? 'checkpoints' : 'events'} read: ${p.read} (position ${p.position})`),
    }).verify();
    process.stdout.write(options.parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
    return report.ok ? 0 : 1;
  });
}

function describe(report: AuditReport): string {
  const lines = [
    `events checked:      ${report.eventsChecked}`,
    `streams checked:     ${report.streamsChecked}`,
    `checkpoints checked: ${report.checkpointsChecked}`,
    `result:              ${report.ok ? 'ok' : `${report.findings.length + report.findingsOmitted} finding(s)`}`,
  ];
  for (const f of report.findings) {
    const where = [f.streamId, f.revision !== undefined ? `revision ${f.revision}` : undefined, f.position !== undefined ? `position ${f.position}` : undefined].filter(Boolean).join(', ');
    lines.push(`${f.kind}: ${where ? `${where}: ` : ''}${f.detail}`);
  }
  if (report.findingsOmitted > 0) lines.push(`... and ${report.findingsOmitted} more (not listed)`);
  return `${lines.join('\n')}\n`;
}
