import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../infrastructure/http/create-app.js';
import { sendProblem } from '../../infrastructure/http/problem.js';
import { requestIdOf } from '../../infrastructure/http/request-id.js';
import { MetricsRegistry } from '../../infrastructure/metrics/registry.js';
import { recordingLogger, type LogLine } from '../apns/recorders.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let server: Server;
  let base: string;
  let lines: LogLine[];
  const seenByHandler: (string | undefined)[] = [];

  before(async () => {
    const logger = recordingLogger();
    lines = logger.lines;
    const app = createApp('admin', { logger, metrics: new MetricsRegistry() }, (a) => {
      a.get('/ok', (_req, res) => {
        seenByHandler.push(requestIdOf(res));
        res.json({ ok: true });
      });
      a.get('/conflict', (_req, res) => sendProblem(res, { status: 409, type: 'urn:test:conflict', detail: 'taken' }));
      a.get('/boom', () => {
        throw new Error('kaput');
      });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    lines.length = 0;
  });

  const requestLine = async () => {
    // The request line is written when the response finishes, just after the client has it.
    for (let i = 0; i < 50 && !lines.some((l) => l.message === 'request'); i++) await new Promise((r) => setTimeout(r, 10));
    return lines.find((l) => l.message === 'request')!;
  };

  it('keeps a well-formed incoming X-Request-Id: echoed, in the log line, available to the handler', async () => {
    const id = 'lb-7f3a.9c:01_x';
    const r = await fetch(`${base}/ok`, { headers: { 'x-request-id': id } });
    expect(r.status).to.equal(200);
    expect(r.headers.get('x-request-id')).to.equal(id);
    expect(seenByHandler.at(-1)).to.equal(id);
    expect((await requestLine()).fields).to.include({ requestId: id, path: '/ok', status: 200 });
  });

  it('generates a random UUID when none is given, a different one per request', async () => {
    const first = (await fetch(`${base}/ok`)).headers.get('x-request-id');
    const second = (await fetch(`${base}/ok`)).headers.get('x-request-id');
    expect(first).to.match(UUID);
    expect(second).to.match(UUID);
    expect(first).to.not.equal(second);
  });

  for (const [what, value] of [
    ['too long', 'a'.repeat(129)],
    ['a space', 'abc def'],
    ['a quote', 'abc"def'],
    ['a slash', '../etc'],
    ['non-ASCII', 'abcé'],
  ] as const) {
    it(`ignores an incoming id with ${what} and generates one`, async () => {
      const r = await fetch(`${base}/ok`, { headers: { 'x-request-id': value } });
      const id = r.headers.get('x-request-id');
      expect(id).to.match(UUID);
      expect((await requestLine()).fields['requestId']).to.equal(id);
    });
  }

  it('accepts 128 characters, the longest allowed', async () => {
    const id = 'A'.repeat(128);
    expect((await fetch(`${base}/ok`, { headers: { 'x-request-id': id } })).headers.get('x-request-id')).to.equal(id);
  });

  it('puts the id in problem details bodies: route problems, 404 and 500', async () => {
    const conflict = await fetch(`${base}/conflict`, { headers: { 'x-request-id': 'req-409' } });
    expect(await conflict.json()).to.deep.equal({ type: 'urn:test:conflict', title: 'Conflict', status: 409, detail: 'taken', requestId: 'req-409' });
    const missing = await fetch(`${base}/nowhere`, { headers: { 'x-request-id': 'req-404' } });
    expect(await missing.json()).to.include({ status: 404, requestId: 'req-404' });
    const failed = await fetch(`${base}/boom`, { headers: { 'x-request-id': 'req-500' } });
    expect(failed.status).to.equal(500);
    expect(await failed.json()).to.include({ status: 500, requestId: 'req-500' });
    const error = lines.find((l) => l.message === 'request failed');
    expect(error?.fields).to.include({ requestId: 'req-500', path: '/boom' });
  });
});
