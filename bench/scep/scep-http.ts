import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/** Where one SCEP server answers: plain HTTP (scepserver) or HTTPS trusting our MDM CA. */
export interface ScepEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Set for HTTPS: the CA the server certificate chains to, and the name it is checked against. */
  readonly tls?: { readonly caPem: string; readonly servername: string };
}

export interface ScepResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly ms: number;
}

/**
 * A keep-alive client for one endpoint that counts the connections it opens, so the report can
 * say how many TLS handshakes fell inside a measured stretch (ideally none).
 */
export class ScepClient {
  private readonly agent: HttpAgent;
  private readonly seen = new WeakSet<Socket>();
  connectionsOpened = 0;

  constructor(readonly endpoint: ScepEndpoint, options: { keepAlive: boolean; maxSockets: number }) {
    const agentOptions = { keepAlive: options.keepAlive, maxSockets: options.maxSockets };
    // No session cache without keep-alive: each new connection then costs a full handshake.
    this.agent = endpoint.tls ? new HttpsAgent({ ...agentOptions, ...(options.keepAlive ? {} : { maxCachedSessions: 0 }) }) : new HttpAgent(agentOptions);
  }

  get(query: string): Promise<ScepResponse> {
    return this.send('GET', query);
  }

  postPkiOperation(message: Buffer): Promise<ScepResponse> {
    return this.send('POST', 'operation=PKIOperation', message);
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: 'GET' | 'POST', query: string, body?: Buffer): Promise<ScepResponse> {
    const { host, port, path, tls } = this.endpoint;
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const options = {
        host,
        port,
        method,
        path: `${path}?${query}`,
        agent: this.agent,
        headers: body ? { 'Content-Type': 'application/x-pki-message', 'Content-Length': String(body.length) } : {},
        ...(tls ? { ca: tls.caPem, servername: tls.servername } : {}),
      };
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: Number(process.hrtime.bigint() - started) / 1e6 }));
        res.on('error', reject);
      };
      const req = tls ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
      req.on('socket', (socket: Socket) => {
        if (!this.seen.has(socket)) {
          this.seen.add(socket);
          this.connectionsOpened++;
        }
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
