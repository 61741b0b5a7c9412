import { systemClock } from '../../application/ports/clock.js';
import { rebuildProjection } from '../../application/read-models/rebuild-projection.js';
import { storedProjectionStatus } from '../../application/read-models/stored-status.js';
import { openDocumentStore } from '../readmodel/open-document-store.js';
import { READ_MODEL_PROJECTIONS } from '../readmodel/read-model-projections.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore } from './store-session.js';
import { table } from './table.js';

const HELP = `Usage: mdm projections status [--json]
       mdm projections rebuild <name>|--all [--json]

The read models (inventory, compliance policies, command history, audit history, ...) are built
by the server from the events, each up to its own checkpoint, in the read-model store
(MDM_READ_STORE: <data dir>/readmodels.db, or MongoDB).

  status    Each read model: its state (running, failed, rebuilding), the event position it has
            applied, how many events it has not applied yet and how old the oldest of them is,
            and, for a read model that stopped on an event it could not apply, that event and why.
  rebuild   Replays every event into a new collection, then switches the read model over to it:
            queries keep reading the old collection until the new one has caught up, so nothing is
            served half-built. Works while the server runs; run one rebuild at a time. Progress
            goes to stderr. A read model that stopped on an event resumes from the new collection.

Options:
  --all     rebuild every read model, one after the other
  --json    one JSON document on stdout
`;

export const projectionsCommand: CliCommand = {
  name: 'projections',
  summary: 'Show read-model status and lag; rebuild a read model with no downtime.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'status' && sub !== 'rebuild') return usageError('projections', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    const options = parseOptions(rest, { json: { type: 'boolean' }, all: { type: 'boolean' } }, true);
    if (!options.ok) return usageError('projections', options.message);
    const { values, positionals } = options.parsed;
    const names = READ_MODEL_PROJECTIONS.map((p) => p.name);
    if (sub === 'status' && (positionals.length > 0 || values.all)) return usageError('projections', 'status takes no read-model name');
    if (sub === 'rebuild') {
      if (values.all ? positionals.length > 0 : positionals.length !== 1) return usageError('projections', 'name one read model or give --all');
      if (!values.all && !names.includes(positionals[0]!)) return usageError('projections', `unknown read model ${JSON.stringify(positionals[0])}; known: ${names.join(', ')}`);
    }
    return withStore('projections', async ({ config, store }) => {
      const documents = await openDocumentStore(config);
      try {
        if (sub === 'status') {
          const status = await storedProjectionStatus(store, documents, READ_MODEL_PROJECTIONS, systemClock);
          if (values.json) process.stdout.write(`${JSON.stringify({ projections: status })}\n`);
          else {
            process.stdout.write(table(['NAME', 'STATE', 'POSITION', 'LAG EVENTS', 'LAG SECONDS', 'COLLECTION'], status.map((s) => [s.name, s.state, String(s.position), `${s.lagEvents}${s.lagCapped ? '+' : ''}`, s.lagSeconds.toFixed(1), s.collection ?? '-'])));
            for (const s of status) if (s.failure) process.stdout.write(`\n${s.name} stopped at position ${s.failure.position} (${s.failure.eventType} in ${s.failure.streamId}): ${s.failure.message}\n`);
          }
          return 0;
        }
        const targets = values.all ? READ_MODEL_PROJECTIONS : READ_MODEL_PROJECTIONS.filter((p) => p.name === positionals[0]);
        const results = [];
        for (const projection of targets) {
          process.stderr.write(`rebuilding ${projection.name} ...\n`);
          const result = await rebuildProjection({ events: store, documents, clock: systemClock }, projection, {
            progressEvery: 20,
            onProgress: (p) => process.stderr.write(`  ${projection.name}: ${p.events} events, position ${p.position}, ${(p.events / Math.max(p.elapsedMs / 1000, 0.001)).toFixed(0)} events/s\n`),
          });
          results.push({ name: projection.name, ...result });
          if (!values.json) process.stdout.write(`${projection.name}: rebuilt into ${result.collection} from ${result.events} events in ${(result.elapsedMs / 1000).toFixed(1)} s${result.previous ? ` (replaces ${result.previous})` : ''}\n`);
        }
        if (values.json) process.stdout.write(`${JSON.stringify({ rebuilt: results })}\n`);
        return 0;
      } finally {
        await documents.close();
      }
    });
  },
};
