import { machineBusyMs, ownCpuMs, processCpuMs } from './proc-cpu.js';
import { elapsedMs, summarize, type LatencySummary } from './stats.js';

export interface PhaseFigures {
  readonly name: string;
  readonly requests: number;
  /** Requests that did not get the answer a device expects (non-200, wrong body, connection error). */
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** The server process's CPU time during the phase, less its idle baseline. */
  readonly serverCpuMs: number;
  readonly serverCpuMsPerRequest: number;
  /** CPU of this process (the load generator) during the phase. */
  readonly generatorCpuMs: number;
  /** CPU of everything else on the machine during the phase: high values make the figures less reliable. */
  readonly otherProcessesCpuMs: number;
  readonly firstErrors: readonly string[];
}

/** What one timed stretch cost: wall time, and CPU split between the server, the generator and the rest. */
export interface Spent {
  readonly ms: number;
  readonly cpuMs: number;
  readonly generatorCpuMs: number;
  readonly otherCpuMs: number;
}

/** Collects what the workers of one phase observed. */
export class PhaseRecorder {
  readonly latencies: number[] = [];
  errors = 0;
  readonly firstErrors: string[] = [];

  ok(ms: number): void {
    this.latencies.push(ms);
  }

  failed(why: string, ms?: number): void {
    if (ms !== undefined) this.latencies.push(ms);
    this.errors++;
    if (this.firstErrors.length < 5) this.firstErrors.push(why);
  }
}

/** Wall time of `body`, and the CPU spent meanwhile by the server (less its idle baseline), this process and the rest of the machine. */
export async function timed(serverPid: number, baselineCpuMsPerSecond: number, body: () => Promise<void>): Promise<Spent> {
  const [server, own, machine] = [processCpuMs(serverPid), ownCpuMs(), machineBusyMs()];
  const started = process.hrtime.bigint();
  await body();
  const ms = elapsedMs(started);
  const serverMs = processCpuMs(serverPid) - server;
  const generatorCpuMs = ownCpuMs() - own;
  return {
    ms,
    cpuMs: Math.max(0, serverMs - (baselineCpuMsPerSecond * ms) / 1000),
    generatorCpuMs,
    otherCpuMs: Math.max(0, machineBusyMs() - machine - serverMs - generatorCpuMs),
  };
}

export function phaseFigures(name: string, recorder: PhaseRecorder, spent: Spent): PhaseFigures {
  const { ms, cpuMs } = spent;
  const requests = recorder.latencies.length;
  return {
    name,
    requests,
    errors: recorder.errors,
    seconds: Math.round(ms) / 1000,
    requestsPerSecond: Math.round((requests / ms) * 1000),
    latencyMs: summarize(recorder.latencies),
    serverCpuMs: Math.round(cpuMs),
    serverCpuMsPerRequest: requests > 0 ? Math.round((cpuMs / requests) * 1000) / 1000 : 0,
    generatorCpuMs: Math.round(spent.generatorCpuMs),
    otherProcessesCpuMs: Math.round(spent.otherCpuMs),
    firstErrors: recorder.firstErrors,
  };
}

/**
 * Runs `body` and measures the server's CPU around it from /proc. `baselineCpuMsPerSecond` is what
 * the server burns with no traffic (timers, polling); it is subtracted for the phase's duration.
 */
export async function measurePhase(name: string, serverPid: number, baselineCpuMsPerSecond: number, body: (recorder: PhaseRecorder) => Promise<void>): Promise<PhaseFigures> {
  const recorder = new PhaseRecorder();
  return phaseFigures(name, recorder, await timed(serverPid, baselineCpuMsPerSecond, () => body(recorder)));
}

/** The server's CPU burn with no traffic, in ms per second of wall time. */
export async function idleBaseline(serverPid: number, ms = 1000): Promise<number> {
  const before = processCpuMs(serverPid);
  await new Promise((r) => setTimeout(r, ms));
  return ((processCpuMs(serverPid) - before) * 1000) / ms;
}

/** `concurrency` workers taking items from one shared list until it is empty. */
export async function eachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}
