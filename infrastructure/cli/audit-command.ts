import { AuditCheckpoints } from '../../application/audit/audit-checkpoints.js';
import { systemClock } from '../../application/ports/clock.js';
import { openCheckpointSigner } from '../audit/audit-checkpointing.js';
import { auditDeviceAt } from './audit-device-at.js';
import { auditExport } from './audit-export.js';
import { auditVerify } from './audit-verify.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore } from './store-session.js';

const HELP = `Usage: mdm audit verify [--json] [--key-file FILE]...
       mdm audit export [--stream S] [--type T]... [--since ISO] [--until ISO] [--output FILE]
       mdm audit checkpoint
       mdm audit device-at <udid> --at ISO [--json]

verify      Reads the whole store and checks every stream's hash chain, the chain of signed
            checkpoints, and that every stream head a checkpoint recorded is still there with the
            recorded hash. Prints a summary and one line per finding (--json: the report as JSON).
            Exit 0 when everything verifies, 1 with findings.
              --key-file FILE  an earlier checkpoint key (after a key change); repeatable. The
                               current key is MDM_AUDIT_KEY_FILE (<data dir>/audit/checkpoint.key).
export      Writes events as NDJSON, one per line: position, streamId, revision, eventId, type,
            data, metadata (with the hash chain), recordedAt. Sealed secrets stay sealed.
              --stream S       only stream S (e.g. device-<UDID>)
              --type T         only events of type T; repeat for several types
              --since ISO      recorded at or after this time (2026-01-31 or 2026-01-31T12:00:00Z)
              --until ISO      recorded before this time
              --output FILE    write to FILE (created 0600; never overwritten) instead of stdout
checkpoint  Appends a signed checkpoint of the streams changed since the last one, now (the
            server does this every MDM_AUDIT_CHECKPOINT_SECONDS).
device-at   The device as it stood at a time: its stream folded up to then. Unlock tokens are
            never shown, not even sealed; other sealed values read "[sealed]".
              --at ISO         the time (date, or date and time with a zone)
              --json           the whole state as JSON

Progress goes to stderr for long runs. Everything works while the server runs. See docs/audit.md.
`;

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Verify the tamper evidence, export events, append a checkpoint, show a device as of a time.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'verify':
        return auditVerify(rest);
      case 'export':
        return auditExport(rest);
      case 'checkpoint':
        return checkpoint(rest);
      case 'device-at':
        return auditDeviceAt(rest);
      default:
        return usageError('audit', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};

async function checkpoint(args: string[]): Promise<number> {
  const options = parseOptions(args, {});
  if (!options.ok) return usageError('audit', options.message);
  return withStore('audit', async ({ config, store }) => {
    let signer;
    try {
      signer = await openCheckpointSigner(config);
    } catch (error) {
      process.stderr.write(`mdm audit: ${(error as Error).message}\n`);
      return 1;
    }
    const run = await new AuditCheckpoints(store, signer, systemClock).run();
    if (run.appended > 0) process.stdout.write(`checkpoint ${run.sequence} appended: ${run.streams} stream(s) up to position ${run.position} (${run.appended} event(s))\nsignature: ${run.signature}\n`);
    else if (run.sequence !== undefined) process.stdout.write(`no change since checkpoint ${run.sequence} (position ${run.position})\n`);
    else process.stdout.write('nothing to checkpoint: the store holds no events\n');
    return 0;
  });
}
