import { connect, type TLSSocket } from 'node:tls';
import { takeResponse, type HttpResponse } from './http-response.js';

export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  /** SNI and the name checked against the server certificate. */
  readonly servername: string;
  /** The MDM CA: devices pin it through their enrollment profile. */
  readonly caPem: string;
}

export interface TimedResponse extends HttpResponse {
  readonly ms: number;
}

/**
 * One device's TLS connection speaking HTTP/1.1, one request in flight, as a device does. Written
 * on the bare socket rather than node:https so that the load generator, which shares the cores
 * with the server, spends as little CPU per request as it can. Requests are pre-built bytes.
 */
export class DeviceConnection {
  private socket: TLSSocket | undefined;
  private connecting: Promise<TLSSocket> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve(r: HttpResponse): void; reject(e: Error): void } | undefined;
  /** The TLS session of the last connection, for resumption. */
  session: Buffer | undefined;
  /** Whether the last connection resumed a session instead of a full handshake. */
  resumed = false;

  constructor(private readonly target: ServerTarget, private readonly options: { resumeWith?: Buffer } = {}) {}

  async send(request: Buffer): Promise<TimedResponse> {
    const started = process.hrtime.bigint();
    const socket = await this.open();
    const response = await new Promise<HttpResponse>((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(request);
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.close) this.close();
    return { ...response, ms };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.connecting = undefined;
  }

  private open(): Promise<TLSSocket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<TLSSocket>((resolve, reject) => {
      const { host, port, servername, caPem } = this.target;
      const socket = connect({ host, port, servername, ca: caPem, ...(this.options.resumeWith ? { session: this.options.resumeWith } : {}) });
      socket.setNoDelay(true);
      socket.once('secureConnect', () => {
        this.socket = socket;
        this.resumed = socket.isSessionReused();
        resolve(socket);
      });
      socket.on('session', (session: Buffer) => (this.session = session));
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (error) => {
        reject(error);
        this.fail(error);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.close();
        this.fail(new Error('connection closed by the server'));
      });
    });
    return this.connecting;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let taken;
    try {
      taken = takeResponse(this.buffer);
    } catch (error) {
      this.fail(error as Error);
      this.close();
      return;
    }
    if (!taken) return;
    this.buffer = taken.rest;
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(taken.response);
  }

  private fail(error: Error): void {
    this.buffer = Buffer.alloc(0);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/** The bytes of one PUT, built once and sent as often as needed. */
export function putRequest(target: ServerTarget, path: string, contentType: string, body: Buffer, headers: Record<string, string>, keepAlive = true): Buffer {
  const head = [
    `PUT ${path} HTTP/1.1`,
    `Host: ${target.servername}:${target.port}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${body.length}`,
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
