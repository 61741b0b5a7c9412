import type { Express } from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Listener {
  readonly server: Server;
  /** The bound address, for logs and tests (port 0 binds an ephemeral one). */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

export async function listen(app: Express, host: string, port: number, tls?: ServerOptions): Promise<Listener> {
  const server: Server = tls ? createHttpsServer(tls, app) : createHttpServer(app);
  // Keep-alive longer than typical load balancers' idle timeouts, so they close first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once closing, every response says so and its connection is closed as soon as it is idle:
  // otherwise a keep-alive client (a device, a load balancer) holds the shutdown for the whole grace.
  let closing = false;
  server.on('request', (_req, res: import('node:http').ServerResponse) => {
    if (closing && !res.headersSent) res.setHeader('connection', 'close');
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
  return {
    server,
    url,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
