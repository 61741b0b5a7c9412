import { DeviceConnection, putRequest, type ServerTarget } from '../support/device-connection.js';
import type { PhaseRecorder } from '../support/phase.js';
import { idleBody, REPORT, type SimDevice } from '../support/sim-devices.js';

/** One simulated device: its identity, its keep-alive connection and its pre-signed Idle. */
export interface BenchDevice {
  readonly sim: SimDevice;
  readonly connection: DeviceConnection;
  readonly idle: Buffer;
  /** The same Idle asking the server to close the connection afterwards. */
  readonly idleThenClose: Buffer;
  /** The latest TLS session, for the resumed-handshake phase. */
  session?: Buffer;
}

export interface CheckinContext {
  readonly target: ServerTarget;
  readonly devices: readonly BenchDevice[];
  readonly serverPid: number;
  readonly baselineCpuMsPerSecond: number;
  readonly concurrency: number;
}

export function benchDevice(target: ServerTarget, sim: SimDevice): BenchDevice {
  const body = idleBody(sim);
  // The Idle body of one device never changes, so one signature serves every Idle it sends.
  const headers = { 'Mdm-Signature': sim.signer.sign(body) };
  return {
    sim,
    connection: new DeviceConnection(target),
    idle: putRequest(target, '/mdm', REPORT, body, headers, true),
    idleThenClose: putRequest(target, '/mdm', REPORT, body, headers, false),
  };
}

/** Sends one request and records it: any failure counts, with the reason kept for the report. */
export async function exchange(recorder: PhaseRecorder, connection: DeviceConnection, request: Buffer, check: (status: number, body: Buffer) => string | undefined): Promise<Buffer | undefined> {
  try {
    const response = await connection.send(request);
    const problem = check(response.status, response.body);
    if (problem) {
      recorder.failed(problem, response.ms);
      return undefined;
    }
    recorder.ok(response.ms);
    return response.body;
  } catch (error) {
    recorder.failed(`connection: ${(error as Error).message}`);
    connection.close();
    return undefined;
  }
}

export const expect200Empty = (status: number, body: Buffer): string | undefined =>
  status !== 200 ? `HTTP ${status}` : body.length > 0 ? `unexpected body (${body.length} bytes)` : undefined;
