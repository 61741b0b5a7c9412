import { DeviceConnection, putRequest, type ServerTarget } from '../support/device-connection.js';
import { processCpuMs } from '../support/proc-cpu.js';
import { idleBody, REPORT, type SimDevice } from '../support/sim-devices.js';
import { percentile, round3 } from '../support/stats.js';

export interface IdleFigures {
  readonly label: string;
  readonly events: number;
  /** The first Idle after the restart: the server folds the whole stream once. */
  readonly coldMs: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly serverCpuMsPerIdle: number;
}

/** One device's keep-alive connection with its pre-signed Idle. */
export class IdleProbe {
  readonly connection: DeviceConnection;
  private readonly idle: Buffer;
  private readonly unsupported: Buffer;
  readonly latencies: number[] = [];
  cpuMs = 0;

  constructor(target: ServerTarget, readonly device: SimDevice, readonly label: string, readonly events: number) {
    this.connection = new DeviceConnection(target);
    const body = idleBody(device);
    this.idle = putRequest(target, '/mdm', REPORT, body, { 'Mdm-Signature': device.signer.sign(body) });
    // Answered 415 before anything reads the device's stream: opens the connection without warming it.
    // (It names a signature so that it gets past the check for any identity at all.)
    this.unsupported = putRequest(target, '/mdm', 'text/plain', Buffer.from('x'), { 'Mdm-Signature': 'opener' });
  }

  async connect(): Promise<void> {
    const r = await this.connection.send(this.unsupported);
    if (r.status !== 415) throw new Error(`${this.label}: expected 415 from the connection opener, got ${r.status}`);
  }

  async send(): Promise<number> {
    const r = await this.connection.send(this.idle);
    if (r.status !== 200 || r.body.length > 0) throw new Error(`${this.label}: Idle answered ${r.status} with ${r.body.length} bytes`);
    return r.ms;
  }

  /** `count` Idles one after another; latency per Idle and the server's CPU for the block. */
  async block(count: number, serverPid: number): Promise<void> {
    const before = processCpuMs(serverPid);
    for (let i = 0; i < count; i++) this.latencies.push(await this.send());
    this.cpuMs += processCpuMs(serverPid) - before;
  }

  figures(coldMs: number): IdleFigures {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      label: this.label,
      events: this.events,
      coldMs: round3(coldMs),
      medianMs: round3(percentile(sorted, 50)),
      p99Ms: round3(percentile(sorted, 99)),
      serverCpuMsPerIdle: round3(this.cpuMs / Math.max(1, this.latencies.length)),
    };
  }
}

/**
 * Alternating blocks, so that both devices see the same server (JIT, GC, page cache) over the run
 * rather than one going first.
 */
export async function alternate(probes: readonly IdleProbe[], idles: number, serverPid: number, blockSize = 50): Promise<void> {
  for (let done = 0; done < idles; done += blockSize) {
    for (const p of probes) await p.block(Math.min(blockSize, idles - done), serverPid);
  }
}
