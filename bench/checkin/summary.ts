import type { PhaseFigures } from '../support/phase.js';
import { round3 } from '../support/stats.js';
import type { CycleFigures } from './cycle-phase.js';
import type { HandshakeFigures } from './handshake-phase.js';

/** The reference from the issue: NanoMDM (Go, file storage, no fsync) with its load generator on the same 2 cores. */
export const NANOMDM = {
  cpuMsPerIdle: 0.57,
  cpuMsPerCommand: { low: 1.2, high: 1.4 },
  idlePerSecond: 930,
  commandsPerSecond: 600,
} as const;

export interface CheckinResults {
  readonly enrollment: PhaseFigures;
  readonly idle: PhaseFigures;
  readonly cycles: CycleFigures;
  readonly fullHandshake: HandshakeFigures;
  readonly resumedHandshake: HandshakeFigures;
}

export function handshakeCost(r: CheckinResults) {
  return {
    fullCpuMs: round3(r.fullHandshake.serverCpuMsPerRequest - r.idle.serverCpuMsPerRequest),
    resumedCpuMs: round3(r.resumedHandshake.serverCpuMsPerRequest - r.idle.serverCpuMsPerRequest),
    resumedConnections: r.resumedHandshake.resumedConnections,
    resumeAttempts: r.resumedHandshake.requests + r.resumedHandshake.errors,
  };
}

export function verdicts(r: CheckinResults) {
  return {
    idleCpuAtOrBelowReference: r.idle.serverCpuMsPerRequest <= NANOMDM.cpuMsPerIdle,
    commandCpuAtOrBelowReference: r.cycles.serverCpuMsPerCommand <= NANOMDM.cpuMsPerCommand.high,
  };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** How much else was running: the generator's CPU per request and everyone else's per second. */
export function interference(r: CheckinResults) {
  const rows: PhaseFigures[] = [r.enrollment, r.idle, r.cycles, r.fullHandshake, r.resumedHandshake];
  const seconds = rows.reduce((n, p) => n + p.seconds, 0);
  return {
    generatorCpuMsPerRequest: round3(rows.reduce((n, p) => n + p.generatorCpuMs, 0) / Math.max(1, rows.reduce((n, p) => n + p.requests, 0))),
    otherProcessesCpuMsPerSecond: Math.round(rows.reduce((n, p) => n + p.otherProcessesCpuMs, 0) / Math.max(0.001, seconds)),
  };
}

export function summaryLines(r: CheckinResults, cores: number): string[] {
  const rows: PhaseFigures[] = [r.enrollment, r.idle, r.cycles, r.fullHandshake, r.resumedHandshake];
  const lines = [
    `${'phase'.padEnd(56)}${pad('requests', 9)}${pad('req/s', 8)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 7)}${pad('server CPU ms/req', 19)}`,
  ];
  for (const p of rows) {
    lines.push(`${p.name.padEnd(56)}${pad(p.requests, 9)}${pad(p.requestsPerSecond, 8)}${pad(p.latencyMs.p50, 9)}${pad(p.latencyMs.p95, 9)}${pad(p.latencyMs.p99, 9)}${pad(p.errors, 7)}${pad(p.serverCpuMsPerRequest, 19)}`);
  }
  const h = handshakeCost(r);
  const v = verdicts(r);
  const noise = interference(r);
  const commandsPerSecond = Math.round(r.cycles.commands / r.cycles.seconds);
  lines.push(
    '',
    `command cycles: ${r.cycles.commands} commands, ${commandsPerSecond} commands/s, ${r.cycles.serverCpuMsPerCommand} ms server CPU per delivered-and-acknowledged command (2 requests)`,
    `  after an untimed warm-up round (first command and first result of every device, colder JIT): ${r.cycles.warmUpServerCpuMsPerCommand} ms per command`,
    `  queueing them (CommandQueueService in the benchmark process, not counted above): ${r.cycles.enqueueCpuMsPerCommand} ms CPU per command`,
    `TLS connection set-up, server CPU beyond a keep-alive Idle: full handshake ${h.fullCpuMs} ms, resumed ${h.resumedCpuMs} ms (${h.resumedConnections}/${h.resumeAttempts} connections resumed)`,
    `load generator: ${noise.generatorCpuMsPerRequest} ms CPU per request; other processes: ${noise.otherProcessesCpuMsPerSecond} of ${cores * 1000} ms CPU/s during the timed phases (more than ~100 makes the figures less reliable)`,
    `(server CPU is read in clock ticks, usually 10 ms: a phase that costs the server less than ~1 s of CPU gives an approximate figure)`,
    '',
    `reference (NanoMDM, Go, file storage, no fsync, same 2 cores): ${NANOMDM.cpuMsPerIdle} ms CPU per idle check-in, ${NANOMDM.cpuMsPerCommand.low}-${NANOMDM.cpuMsPerCommand.high} ms per command, ~${NANOMDM.idlePerSecond} idle/s, ~${NANOMDM.commandsPerSecond} commands/s`,
    `ours (every event stored, 'process' durability):           ${r.idle.serverCpuMsPerRequest} ms CPU per idle check-in, ${r.cycles.serverCpuMsPerCommand} ms per command, ${r.idle.requestsPerSecond} idle/s, ${commandsPerSecond} commands/s`,
    `target (at or below the reference CPU costs): idle ${v.idleCpuAtOrBelowReference ? 'met' : 'NOT met'}, command ${v.commandCpuAtOrBelowReference ? 'met' : 'NOT met'}`,
  );
  return lines;
}
