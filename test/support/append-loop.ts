// Child process for the kill -9 test: appends until killed, printing each acknowledged event id.
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import type { Durability } from '../../infrastructure/eventstore/sqlite/schema.js';

const [file, durability] = process.argv.slice(2) as [string, Durability];
const store = new SqliteEventStore(file, { durability });

async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    const eventId = randomUUID();
    await store.append(`device-crash-${w}-${i % 50}`, [{ eventId, type: 'CommandQueued', data: { w, i } }], 'any');
    process.stdout.write(`ack ${eventId}\n`);
  }
}

await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
