import { expect } from 'chai';
import express from 'express';
import { request } from 'node:http';
import { listen } from '../../infrastructure/http/listener.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listener shutdown', () => {
  it('finishes in-flight requests, then refuses new connections', async () => {
    const app = express();
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('done'), 300));
    const l = await listen(app, '127.0.0.1', 0);
    const inFlight = get(`${l.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const closed = l.close(5_000);
    expect(await inFlight).to.deep.equal({ status: 200, body: 'done' });
    await closed;
    const refused = await get(`${l.url}/slow`).catch((e: NodeJS.ErrnoException) => e.code);
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('does not wait out the grace period for a keep-alive connection once its request is done', async () => {
    const app = express();
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('done'), 300));
    const l = await listen(app, '127.0.0.1', 0);
    const agent = new (await import('node:http')).Agent({ keepAlive: true });
    const viaAgent = (path: string) => new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${l.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    try {
      await viaAgent('/slow'); // the connection is now an idle keep-alive one in the agent's pool
      const inFlight = viaAgent('/slow');
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await Promise.all([l.close(5_000), inFlight]);
      expect(Date.now() - started, 'shutdown time').to.be.lessThan(1_500);
      expect((await inFlight).status).to.equal(200);
    } finally {
      agent.destroy();
    }
  });

  it('cuts requests that outlive the grace period', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    const l = await listen(app, '127.0.0.1', 0);
    const hanging = get(`${l.url}/hang`).catch((e: NodeJS.ErrnoException) => e.code);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await l.close(200);
    expect(Date.now() - started).to.be.within(150, 2_000);
    expect(await hanging).to.equal('ECONNRESET');
  });
});
