import express from 'express';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CertificateAuthority } from '../../application/ports/certificate-authority.js';
import type { Clock } from '../../application/ports/clock.js';
import { deviceIdentityOf } from '../../infrastructure/http/device/identity/device-identity.js';
import { deviceIdentity } from '../../infrastructure/http/device/identity/device-identity-middleware.js';
import type { IdentityFailure } from '../../infrastructure/http/device/identity/identity-failure.js';
import type { VerifiedCertificateCache } from '../../infrastructure/http/device/identity/verified-certificate-cache.js';
import type { TestCertificate } from './pki.js';

/**
 * An HTTPS server set up like the device listener (client certificates requested, not required)
 * with deviceIdentity() behind express.raw() on PUT /mdm, answering the identity it found as JSON.
 */

export interface IdentityServerOptions {
  readonly ca: CertificateAuthority;
  readonly clock: Clock;
  readonly serverCertificate: TestCertificate;
  readonly trustedProxyCidrs?: readonly string[];
  readonly host?: string;
  readonly cache?: VerifiedCertificateCache;
  /** Called for each refusal, besides collecting it in `failures`. */
  readonly onFailure?: (failure: IdentityFailure) => void;
  /** false leaves out express.raw(), breaking the middleware's contract on purpose. */
  readonly rawBody?: boolean;
  /** Revocations, as the server's registry answers them. */
  readonly revocationReason?: (sha256: string) => string | undefined;
  readonly revocationsKnown?: () => boolean;
}

export interface IdentityServer {
  readonly port: number;
  readonly failures: IdentityFailure[];
  /** Errors that reached the app's error handler. */
  readonly errors: unknown[];
  close(): Promise<void>;
}

export interface IdentityAnswer {
  readonly certificateSha256: string;
  readonly subjectCommonName?: string;
  readonly serialNumber: string;
  readonly notAfter: string;
  readonly source: string;
  readonly certificateDerLength: number;
}

export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const failures: IdentityFailure[] = [];
  const errors: unknown[] = [];
  const app = express();
  const rawBody = express.raw({ type: () => true, limit: '1mb' });
  app.put(
    '/mdm',
    options.rawBody === false ? (_req, _res, next) => next() : rawBody,
    deviceIdentity({
      ca: options.ca,
      clock: options.clock,
      trustedProxyCidrs: options.trustedProxyCidrs ?? [],
      onFailure: (failure) => {
        failures.push(failure);
        options.onFailure?.(failure);
      },
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.revocationReason ? { revocationReason: options.revocationReason } : {}),
      ...(options.revocationsKnown ? { revocationsKnown: options.revocationsKnown } : {}),
    }),
    (_req, res) => {
      const identity = deviceIdentityOf(res);
      res.json({ ...identity, certificateDer: undefined, certificateDerLength: identity.certificateDer.length });
    },
  );
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    errors.push(error);
    if (!res.headersSent) res.status(500).end();
  });
  const server: Server = createServer(
    {
      cert: options.serverCertificate.certPem,
      key: options.serverCertificate.keyPem,
      ca: [options.ca.certificatePem()],
      requestCert: true,
      rejectUnauthorized: false,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    failures,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface IdentityRequest {
  readonly port: number;
  /** The address to connect to; 127.0.0.1 by default. */
  readonly host?: string;
  readonly caPem: string;
  readonly clientCertificate?: { certPem: string; keyPem: string };
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

export interface IdentityResponse {
  readonly status: number;
  readonly body: Buffer;
  readonly identity?: IdentityAnswer;
}

/** PUT /mdm over a fresh TLS connection (no session reuse between calls). */
export function putMdm(call: IdentityRequest): Promise<IdentityResponse> {
  const body = call.body === undefined ? Buffer.from('<plist/>') : Buffer.from(call.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: call.host ?? '127.0.0.1',
        port: call.port,
        path: '/mdm',
        method: 'PUT',
        ca: call.caPem,
        servername: 'localhost',
        agent: false,
        ...(call.clientCertificate ? { cert: call.clientCertificate.certPem, key: call.clientCertificate.keyPem } : {}),
        headers: { 'content-type': 'application/x-apple-aspen-mdm', 'content-length': String(body.length), ...call.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const received = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          resolve({
            status,
            body: received,
            ...(status === 200 ? { identity: JSON.parse(received.toString('utf8')) as IdentityAnswer } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
