import { expect } from 'chai';
import { join } from 'node:path';
import { writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { openSqliteDocumentStore } from '../../infrastructure/readmodel/sqlite/sqlite-document-store.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { inventoryProjection } from '../../projections/inventory.js';
import type { Projection } from '../../projections/projection.js';
import { runCli } from '../support/server-process.js';
import { tempDir } from '../support/temp-dir.js';
import { allEvents, collectionContents, referenceFold } from './read-model-fixture.js';

interface StatusLine {
  name: string;
  state: string;
  position: number;
  lagEvents: number;
  collection?: string;
}

describe('mdm projections', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let written: number;
  let head: number;
  const mdm = (...args: string[]) => runCli(['projections', ...args], { MDM_DATA_DIR: dir.path });
  const status = async (): Promise<StatusLine[]> => {
    const r = await mdm('status', '--json');
    expect(r.code, r.stderr).to.equal(0);
    return (JSON.parse(r.stdout) as { projections: StatusLine[] }).projections;
  };

  before(async () => {
    dir = tempDir();
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    written = await writeSyntheticFleet(store, { devices: 12, eventsPerDevice: 50 });
    head = (await allEvents(store)).at(-1)!.position;
    await store.close();
  });
  after(() => dir.remove());

  it('has --help, and refuses usage mistakes with exit 2', async () => {
    const help = await mdm('--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: mdm projections status \[--json\]/);
    for (const [args, message] of [
      [[], 'a subcommand is needed'],
      [['frobnicate'], 'unknown subcommand "frobnicate"'],
      [['rebuild'], 'name one read model or give --all'],
      [['rebuild', 'inventory', '--all'], 'name one read model or give --all'],
      [['rebuild', 'nosuch'], 'unknown read model "nosuch"'],
      [['status', 'inventory'], 'status takes no read-model name'],
      [['status', '--frob'], ''],
    ] as const) {
      const r = await mdm(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.contain(message);
    }
  });

  it('status before any read model is built: each one starting, every event still to apply', async () => {
    const before = await status();
    expect(before.map((s) => [s.name, s.state, s.position, s.lagEvents])).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => [p.name, 'starting', 0, written]));
    const table = await mdm('status');
    expect(table.code).to.equal(0);
    expect(table.stdout).to.match(/^NAME +STATE +POSITION +LAG EVENTS +LAG SECONDS +COLLECTION/);
    expect(table.stdout).to.match(new RegExp(`^inventory +starting +0 +${written} `, 'm'));
  });

  it('rebuild builds one read model with progress on stderr; status then shows it at the head', async () => {
    const r = await mdm('rebuild', 'inventory');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^rebuilding inventory \.\.\.\n {2}inventory: \d+ events, position \d+, \d+ events\/s\n/);
    expect(r.stderr).to.contain(`inventory: ${written} events, position ${head},`);
    const line = /^inventory: rebuilt into (inventory_v1_[a-z0-9]+) from (\d+) events in [\d.]+ s\n$/.exec(r.stdout);
    expect(line, r.stdout).to.not.equal(null);
    expect(Number(line![2])).to.equal(written);

    const after = await status();
    expect(after.find((s) => s.name === 'inventory')).to.deep.include({ state: 'running', position: head, lagEvents: 0, collection: line![1] });
    expect(after.filter((s) => s.name !== 'inventory').map((s) => s.state)).to.deep.equal(READ_MODEL_PROJECTIONS.slice(1).map(() => 'starting'));

    const documents = openSqliteDocumentStore(join(dir.path, 'readmodels.db'));
    const store = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      expect(await collectionContents(documents, line![1]!)).to.deep.equal(referenceFold(inventoryProjection as Projection<object>, await allEvents(store)));
    } finally {
      await documents.close();
      await store.close();
    }

    // Again: a new collection replaces it.
    const again = await mdm('rebuild', 'inventory', '--json');
    expect(again.code, again.stderr).to.equal(0);
    const rebuilt = (JSON.parse(again.stdout) as { rebuilt: Array<{ name: string; collection: string; previous: string; events: number }> }).rebuilt;
    expect(rebuilt).to.have.length(1);
    expect(rebuilt[0]).to.deep.include({ name: 'inventory', previous: line![1], events: written });
  });

  it('rebuild --all builds every read model', async () => {
    const r = await mdm('rebuild', '--all', '--json');
    expect(r.code, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as { rebuilt: Array<{ name: string }> }).rebuilt.map((x) => x.name)).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => p.name));
    for (const p of READ_MODEL_PROJECTIONS) expect(r.stderr).to.contain(`rebuilding ${p.name} ...`);
    expect((await status()).map((s) => [s.name, s.state, s.position, s.lagEvents])).to.deep.equal(READ_MODEL_PROJECTIONS.map((p) => [p.name, 'running', head, 0]));
  });
});
