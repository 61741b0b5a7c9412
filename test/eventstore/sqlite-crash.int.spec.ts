import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyStreamChain } from '../../application/event-integrity.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { tempDir } from '../support/temp-dir.js';

const LOOP = fileURLToPath(new URL('../support/append-loop.js', import.meta.url));

for (const durability of ['process', 'power'] as const) {
  describe(`SQLite event store under kill -9 (${durability})`, function () {
    this.timeout(30_000);

    it('keeps every append that was acknowledged before the kill, with intact chains', async () => {
      const dir = tempDir();
      const file = join(dir.path, 'events.db');
      try {
        const child = spawn(process.execPath, [LOOP, file, durability], { stdio: ['ignore', 'pipe', 'inherit'] });
        const acked: string[] = [];
        let buffer = '';
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            const lines = buffer.split('\n');
            buffer = lines.pop()!;
            for (const l of lines) if (l.startsWith('ack ')) acked.push(l.slice(4));
            if (acked.length >= 2_000 && child.exitCode === null) {
              child.kill('SIGKILL');
            }
          });
          child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code} ${signal}`))));
        });
        const store = new SqliteEventStore(file);
        try {
          const ids = new Set<string>();
          const streams = new Map<string, Awaited<ReturnType<typeof store.readAll>>>();
          for (let after: number | undefined; ;) {
            const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 5_000 });
            if (page.length === 0) break;
            for (const e of page) {
              ids.add(e.eventId);
              streams.set(e.streamId, [...(streams.get(e.streamId) ?? []), e]);
            }
            after = page[page.length - 1]!.position;
          }
          const lost = acked.filter((id) => !ids.has(id));
          expect(lost, `${lost.length} of ${acked.length} acknowledged appends lost`).to.deep.equal([]);
          for (const [stream, events] of streams) expect(verifyStreamChain(events), stream).to.equal(undefined);
          // The store is writable again after the crash.
          await store.append('after-crash', [{ eventId: '9b2d4c9e-8f5a-4a57-9d3b-1f2e3d4c5b6a', type: 'Recovered', data: {} }], 'no-stream');
        } finally {
          await store.close();
        }
      } finally {
        dir.remove();
      }
    });
  });
}
