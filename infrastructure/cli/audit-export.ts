import { createWriteStream, existsSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { exportEvents, type ExportFilter } from '../../application/audit/event-export.js';
import { parseOptions, usageError } from './options.js';
import { parseIsoTime, progressLine } from './progress.js';
import { withStore } from './store-session.js';

const NAME = /^[^\s\u0000-\u001f]{1,200}$/u;

/** `mdm audit export [--stream S] [--type T]... [--since ISO] [--until ISO] [--output FILE]`: NDJSON, as stored. */
export async function auditExport(args: string[]): Promise<number> {
  const options = parseOptions(args, {
    stream: { type: 'string' },
    type: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    output: { type: 'string' },
  });
  if (!options.ok) return usageError('audit', options.message);
  const v = options.parsed.values;
  if (v.stream !== undefined && !NAME.test(v.stream)) return usageError('audit', '--stream takes a stream id: 1-200 characters without spaces');
  for (const type of v.type ?? []) if (!NAME.test(type)) return usageError('audit', `--type takes an event type such as DeviceEnrolled (got ${JSON.stringify(type.slice(0, 80))})`);
  const since = v.since === undefined ? undefined : parseIsoTime(v.since);
  const until = v.until === undefined ? undefined : parseIsoTime(v.until);
  if (v.since !== undefined && !since) return usageError('audit', '--since takes an ISO-8601 date or time with a zone, e.g. 2026-01-31 or 2026-01-31T12:00:00Z');
  if (v.until !== undefined && !until) return usageError('audit', '--until takes an ISO-8601 date or time with a zone, e.g. 2026-02-01 or 2026-02-01T00:00:00Z');
  if (since && until && since.getTime() >= until.getTime()) return usageError('audit', '--since must be before --until');
  const output = v.output === undefined ? undefined : resolve(v.output);
  // An export is evidence: never overwrite one.
  if (output && existsSync(output)) return usageError('audit', `--output ${output} exists; choose a new file`);
  const filter: ExportFilter = { ...(v.stream !== undefined ? { streamId: v.stream } : {}), ...(v.type ? { types: v.type } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}) };

  return withStore('audit', async ({ store }) => {
    const out: Writable = output ? createWriteStream(output, { flags: 'wx', mode: 0o600 }) : process.stdout;
    let failed: Error | undefined;
    out.on('error', (error) => (failed ??= error));
    const progress = progressLine('audit export');
    let exported = 0;
    try {
      for await (const event of exportEvents(store, filter, { onProgress: (p) => progress(() => `read ${p.read} events, exported ${p.exported} (position ${p.position})`) })) {
        if (failed) break;
        exported++;
        if (!out.write(`${JSON.stringify(event)}\n`)) await Promise.race([once(out, 'drain'), once(out, 'error')]).catch(() => undefined);
      }
      if (output) {
        out.end();
        await once(out, 'close').catch(() => undefined);
      }
    } catch (error) {
      // Half an export reads like a whole one: leave none behind.
      if (output) {
        out.destroy();
        unlinkIfPartial(output);
      }
      throw error;
    }
    if (failed) {
      // A closed pipe (`| head`) is the reader's choice, not a failure of the export.
      if ((failed as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      if (output) unlinkIfPartial(output);
      process.stderr.write(`mdm audit: writing the export failed: ${failed.message}\n`);
      return 1;
    }
    process.stderr.write(`mdm audit: exported ${exported} event(s)${output ? ` to ${output}` : ''}\n`);
    return 0;
  });
}

function unlinkIfPartial(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing was written, or it is gone already.
  }
}
