/**
 * A projection runner in a process of its own, for the crash test: catches up the read models of
 * an event store with small batches and a slowed commit (a slow disk), so that a kill lands between
 * batches or inside one. Usage: node runner-process.js <events.db> <readmodels.db> <batchSize>
 */
import type { CollectionBatch } from '../../application/ports/document-store.js';
import { ProjectionRunner } from '../../application/read-models/projection-runner.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { fixedClock, recordingLogger } from './read-model-fixture.js';

const [eventsFile, documentsFile, batchSize] = process.argv.slice(2);
if (!eventsFile || !documentsFile || !/^\d+$/.test(batchSize ?? '')) {
  process.stderr.write('usage: runner-process <events.db> <readmodels.db> <batchSize>\n');
  process.exit(2);
}
const events = new SqliteEventStore(eventsFile);
const documents = openSqliteDocumentStore(documentsFile);
const commit = documents.commit.bind(documents);
documents.commit = async (batches: readonly CollectionBatch[]) => {
  await new Promise((r) => setTimeout(r, 2));
  return commit(batches);
};
const runner = new ProjectionRunner(events, documents, READ_MODEL_PROJECTIONS, { clock: fixedClock('2026-03-01T00:00:00Z'), logger: recordingLogger(), batchSize: Number(batchSize) });
await runner.start();
process.stdout.write('started\n');
