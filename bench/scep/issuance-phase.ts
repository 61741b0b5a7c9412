import { parseCertRep } from '../../test/support/scep-client-message.js';
import { eachConcurrently, timed } from '../support/phase.js';
import { summarize, type LatencySummary } from '../support/stats.js';
import type { PreparedMessage } from './pki-messages.js';
import type { ScepClient, ScepResponse } from './scep-http.js';

export interface IssuanceFigures {
  readonly requests: number;
  /** CertReps with pkiStatus SUCCESS for the request's own transaction id. */
  readonly issued: number;
  readonly failures: number;
  readonly seconds: number;
  readonly issuancesPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** The server process's CPU during the stretch, less its idle baseline. */
  readonly serverCpuMs: number;
  readonly serverCpuMsPerIssuance: number;
  readonly generatorCpuMs: number;
  readonly otherProcessesCpuMs: number;
  /** New connections (for HTTPS: full TLS handshakes) inside the measured stretch. */
  readonly connectionsOpened: number;
  readonly firstFailures: readonly string[];
}

/**
 * POSTs pre-built PKCSReqs with bounded concurrency and reads the server's CPU around the whole
 * stretch. CertReps are parsed only afterwards so the generator, which shares the cores, spends as
 * little as it can while the server is measured.
 */
export async function issuancePhase(client: ScepClient, serverPid: number, baselineCpuMsPerSecond: number, messages: readonly PreparedMessage[], concurrency: number): Promise<IssuanceFigures> {
  const responses: (ScepResponse | Error)[] = new Array(messages.length);
  const connectionsBefore = client.connectionsOpened;
  const spent = await timed(serverPid, baselineCpuMsPerSecond, () =>
    eachConcurrently(messages, concurrency, async (message, index) => {
      responses[index] = await client.postPkiOperation(message.der).catch((error: Error) => error);
    }),
  );
  const connectionsOpened = client.connectionsOpened - connectionsBefore;
  const failures: string[] = [];
  const latencies: number[] = [];
  responses.forEach((response, index) => {
    if (response instanceof Error) return void failures.push(`request ${index}: ${response.message}`);
    latencies.push(response.ms);
    const why = certRepProblem(response, messages[index]!.transactionId);
    if (why) failures.push(`request ${index}: ${why}`);
  });
  const issued = messages.length - failures.length;
  return {
    requests: messages.length,
    issued,
    failures: failures.length,
    seconds: Math.round(spent.ms) / 1000,
    issuancesPerSecond: Math.round((issued / spent.ms) * 1000 * 10) / 10,
    latencyMs: summarize(latencies),
    serverCpuMs: Math.round(spent.cpuMs),
    serverCpuMsPerIssuance: messages.length > 0 ? Math.round((spent.cpuMs / messages.length) * 1000) / 1000 : 0,
    generatorCpuMs: Math.round(spent.generatorCpuMs),
    otherProcessesCpuMs: Math.round(spent.otherCpuMs),
    connectionsOpened,
    firstFailures: failures.slice(0, 5),
  };
}

function certRepProblem(response: ScepResponse, transactionId: string): string | undefined {
  if (response.status !== 200) return `HTTP ${response.status}: ${response.body.toString('utf8', 0, 200).trim()}`;
  try {
    const rep = parseCertRep(response.body);
    if (rep.messageType !== '3') return `messageType ${rep.messageType}, not CertRep (3)`;
    if (rep.pkiStatus !== '0') return `pkiStatus ${rep.pkiStatus}${rep.failInfo !== undefined ? ` failInfo ${rep.failInfo}` : ''}, not SUCCESS (0)`;
    if (rep.transactionId !== transactionId) return 'CertRep for another transaction id';
    if (rep.content.length === 0) return 'SUCCESS without a pkcsPKIEnvelope';
    return undefined;
  } catch (error) {
    return `unreadable CertRep: ${(error as Error).message}`;
  }
}

export interface ConnectionCost {
  /** Server CPU per GetCACaps on a fresh connection less that on a kept-alive one. */
  readonly serverCpuMsPerConnection: number;
  readonly freshConnectionCpuMsPerRequest: number;
  readonly keepAliveCpuMsPerRequest: number;
  readonly requests: number;
  readonly failures: number;
}

/**
 * What a new connection costs the server (for HTTPS: a full TLS handshake, no session resumption),
 * from GetCACaps, the cheapest request there is, sent over fresh and over kept-alive connections.
 */
export async function connectionCost(fresh: ScepClient, kept: ScepClient, serverPid: number, baselineCpuMsPerSecond: number, requests: number, concurrency: number): Promise<ConnectionCost> {
  let failures = 0;
  const run = (client: ScepClient) =>
    timed(serverPid, baselineCpuMsPerSecond, () =>
      eachConcurrently(Array.from({ length: requests }), concurrency, async () => {
        const r = await client.get('operation=GetCACaps').catch(() => undefined);
        if (r?.status !== 200) failures++;
      }),
    );
  await eachConcurrently(Array.from({ length: concurrency }), concurrency, () => kept.get('operation=GetCACaps').then(() => undefined));
  const keptSpent = await run(kept);
  const freshSpent = await run(fresh);
  const perRequest = (cpuMs: number) => Math.round((cpuMs / requests) * 1000) / 1000;
  return {
    keepAliveCpuMsPerRequest: perRequest(keptSpent.cpuMs),
    freshConnectionCpuMsPerRequest: perRequest(freshSpent.cpuMs),
    serverCpuMsPerConnection: perRequest(Math.max(0, freshSpent.cpuMs - keptSpent.cpuMs)),
    requests,
    failures,
  };
}
