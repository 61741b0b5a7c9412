import { randomUUID } from 'node:crypto';
import { createSecureServer, type Http2SecureServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * A local stand-in for APNs' HTTP/2 provider API: TLS with a required client certificate from
 * `clientCaPem`, on 127.0.0.1 and an ephemeral port. It records every request, checks what APNs
 * itself checks cheaply (method, path, topic against the client certificate's UID, header
 * formats, payload size) and otherwise answers 200 with an apns-id, unless a scripted answer says
 * otherwise. `onPush` lets a test, or a simulated device, wake up on a push.
 */

export interface ApnsStandInOptions {
  /** The server's certificate and key; the certificate needs a SAN for 127.0.0.1. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Client certificates must chain to this CA; others fail the TLS handshake. */
  readonly clientCaPem: string;
}

export interface RecordedPush {
  readonly method: string;
  readonly path: string;
  /** The hex device token from `/3/device/<token>`, when the path has that shape. */
  readonly token?: string;
  /** Request headers, pseudo-headers excluded, names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Subject of the TLS client certificate, e.g. { UID: 'com.apple.mgmt.External.…', CN: 'APSP:…' }. */
  readonly clientSubject: Readonly<Record<string, string>>;
  readonly status: number;
  readonly reason?: string;
  /** The apns-id answered (the request's own, or a fresh UUID as APNs does). */
  readonly apnsId: string;
  readonly receivedAt: Date;
}

export interface ScriptedAnswer {
  readonly status: number;
  /** Sent as `{"reason": …}` (plus `timestamp` when given), as APNs does for errors. */
  readonly reason?: string;
  /** Milliseconds since the epoch, sent with 410. */
  readonly timestamp?: number;
  /** Answer only after this long (to exercise client timeouts). */
  readonly delayMs?: number;
  /** Drop the connection instead of answering. */
  readonly hangUp?: boolean;
}

/** A request as received, before it is answered. */
export type PushRequest = Omit<RecordedPush, 'status' | 'reason' | 'apnsId'>;

/** A scripted rule: an answer for this push, or undefined to let the next rule (or 200) decide. */
export type AnswerRule = (push: PushRequest) => ScriptedAnswer | undefined;

const DEVICE_PATH = /^\/3\/device\/([0-9a-fA-F]+)$/;
const MAX_PAYLOAD_BYTES = 4096;

export class ApnsStandIn {
  readonly pushes: RecordedPush[] = [];
  /** TLS handshakes refused (no client certificate, or one from another CA). */
  tlsRejections = 0;
  /** HTTP/2 sessions accepted so far. */
  connections = 0;
  private readonly byToken = new Map<string, ScriptedAnswer>();
  private readonly rules: AnswerRule[] = [];
  private readonly listeners = new Set<(push: RecordedPush) => void>();
  private readonly sessions = new Set<Http2Session>();

  private constructor(private readonly server: Http2SecureServer) {
    server.on('session', (session) => {
      this.connections++;
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => {});
    });
    server.on('tlsClientError', () => this.tlsRejections++);
    server.on('stream', (stream, headers) => this.receive(stream, headers));
  }

  static async start(options: ApnsStandInOptions): Promise<ApnsStandIn> {
    const server = createSecureServer({
      cert: options.certPem,
      key: options.keyPem,
      ca: [options.clientCaPem],
      requestCert: true,
      rejectUnauthorized: true,
      allowHTTP1: false,
    });
    const standIn = new ApnsStandIn(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return standIn;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Every later push to `token` gets `answer`. */
  answer(token: string, answer: ScriptedAnswer): this {
    this.byToken.set(token.toLowerCase(), answer);
    return this;
  }

  /** Rules run in order after the per-token answers; the first that answers wins. */
  addRule(rule: AnswerRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Forgets scripted answers, rules, recorded pushes and counts. */
  reset(): void {
    this.connections = 0;
    this.tlsRejections = 0;
    this.byToken.clear();
    this.rules.length = 0;
    this.pushes.length = 0;
  }

  /** Calls `listener` after each answered request; returns the unsubscribe function. */
  onPush(listener: (push: RecordedPush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next push (matching `predicate`) that arrives from now on. */
  nextPush(predicate: (push: RecordedPush) => boolean = () => true, timeoutMs = 5_000): Promise<RecordedPush> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no push within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onPush((push) => {
        if (!predicate(push)) return;
        clearTimeout(timer);
        off();
        resolve(push);
      });
    });
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(stream: ServerHttp2Stream, rawHeaders: IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES + 1) chunks.push(chunk);
    });
    stream.on('error', () => {});
    stream.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(rawHeaders)) {
        if (!name.startsWith(':') && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const path = String(rawHeaders[':path'] ?? '');
      const peer = (stream.session?.socket as TLSSocket | undefined)?.getPeerCertificate();
      const request = {
        method: String(rawHeaders[':method'] ?? ''),
        path,
        ...(DEVICE_PATH.exec(path) ? { token: DEVICE_PATH.exec(path)![1]!.toLowerCase() } : {}),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientSubject: { ...((peer?.subject ?? {}) as Record<string, string>) },
        receivedAt: new Date(),
      };
      const answer = this.check(request, size) ?? this.scripted(request) ?? { status: 200 };
      const respond = () => this.respond(stream, request, answer);
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  }

  // What APNs refuses before it looks at the device token.
  private check(request: PushRequest, size: number): ScriptedAnswer | undefined {
    if (request.method !== 'POST') return { status: 405, reason: 'MethodNotAllowed' };
    if (!request.token) return { status: 404, reason: 'BadPath' };
    const topic = request.headers['apns-topic'];
    if (!topic) return { status: 400, reason: 'MissingTopic' };
    if (topic !== request.clientSubject['UID']) return { status: 400, reason: 'TopicDisallowed' };
    const expiration = request.headers['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(expiration)) return { status: 400, reason: 'BadExpirationDate' };
    const priority = request.headers['apns-priority'];
    if (priority !== undefined && !['1', '5', '10'].includes(priority)) return { status: 400, reason: 'BadPriority' };
    if (size === 0) return { status: 400, reason: 'PayloadEmpty' };
    if (size > MAX_PAYLOAD_BYTES) return { status: 413, reason: 'PayloadTooLarge' };
    return undefined;
  }

  private scripted(request: PushRequest): ScriptedAnswer | undefined {
    const byToken = request.token ? this.byToken.get(request.token) : undefined;
    if (byToken) return byToken;
    for (const rule of this.rules) {
      const answer = rule(request);
      if (answer) return answer;
    }
    return undefined;
  }

  private respond(stream: ServerHttp2Stream, request: PushRequest, answer: ScriptedAnswer): void {
    const apnsId = request.headers['apns-id'] ?? randomUUID();
    const push: RecordedPush = { ...request, status: answer.status, ...(answer.reason ? { reason: answer.reason } : {}), apnsId };
    this.pushes.push(push);
    if (answer.hangUp) {
      stream.session?.destroy();
    } else if (!stream.destroyed && !stream.closed) {
      stream.respond({ ':status': answer.status, 'apns-id': apnsId });
      if (answer.status === 200) {
        stream.end();
      } else {
        const body: Record<string, unknown> = { reason: answer.reason ?? 'InternalServerError' };
        if (answer.timestamp !== undefined) body['timestamp'] = answer.timestamp;
        stream.end(JSON.stringify(body));
      }
    }
    for (const listener of [...this.listeners]) listener(push);
  }
}
