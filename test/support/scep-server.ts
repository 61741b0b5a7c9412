import express from 'express';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { ScepChallenges, ScepIssuedCertificate } from '../../application/ports/scep-challenges.js';
import { createScepRouter } from '../../infrastructure/scep/scep-router.js';
import { openOrCreateScepRa, type ScepRegistrationAuthority } from '../../infrastructure/scep/scep-registration-authority.js';
import { ScepService } from '../../infrastructure/scep/scep-service.js';
import type { TestCa } from './pki.js';

export interface RunningScepServer {
  readonly url: string;
  readonly ra: ScepRegistrationAuthority;
  readonly service: ScepService;
  /** What the recorder was told, in order. */
  readonly issued: ScepIssuedCertificate[];
  close(): Promise<void>;
}

/** The SCEP router on a real HTTP server at 127.0.0.1 on an ephemeral port, mounted at /scep. */
export async function startScepServer(testCa: TestCa, challenges: ScepChallenges, dataDir: string): Promise<RunningScepServer> {
  const ra = await openOrCreateScepRa(testCa.ca, dataDir);
  const issued: ScepIssuedCertificate[] = [];
  const service = new ScepService({
    ca: testCa.ca,
    ra,
    challenges,
    recorder: { recordIssued: async (certificate) => void issued.push(certificate) },
  });
  const app = express();
  app.use('/scep', createScepRouter(service));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scep`,
    ra,
    service,
    issued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
