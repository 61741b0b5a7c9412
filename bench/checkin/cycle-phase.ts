import { randomUUID } from 'node:crypto';
import { eachConcurrently, phaseFigures, PhaseRecorder, timed, type PhaseFigures } from '../support/phase.js';
import { progress } from '../support/progress.js';
import { deviceInformationAck, REPORT, signedPut } from '../support/sim-devices.js';
import { round3 } from '../support/stats.js';
import type { StoreSideQueue } from '../support/store-side-queue.js';
import { exchange, expect200Empty, type CheckinContext } from './context.js';

export interface CycleFigures extends PhaseFigures {
  readonly commands: number;
  readonly serverCpuMsPerCommand: number;
  /** CPU of the benchmark process queueing the commands through CommandQueueService (not the server's). */
  readonly enqueueCpuMsPerCommand: number;
  /** The untimed first round: each device's first command and first result, on a colder server. */
  readonly warmUpServerCpuMsPerCommand: number;
}

/**
 * Full command cycles, `rounds` times after one warm-up round: DeviceInformation is queued for
 * every device (out of process, untimed), then each device sends Idle, gets the command, answers
 * Acknowledged with QueryResponses and gets an empty 200. Acknowledgements are signed before the
 * clock starts: the CommandUUID is known once the command is queued. The warm-up round is kept out
 * of the figures: every device reports its first result then, and the server's JIT is still cold
 * for this path; the timed rounds are the steady state (about one report in four changes facts).
 */
export async function cyclePhase(ctx: CheckinContext, queue: StoreSideQueue, rounds: number): Promise<CycleFigures> {
  const warmUp = new PhaseRecorder();
  const recorder = new PhaseRecorder();
  const total = { ms: 0, cpuMs: 0, generatorCpuMs: 0, otherCpuMs: 0 };
  let warmUpCpuMs = 0;
  let enqueueCpuMicros = 0;
  for (let round = 0; round <= rounds; round++) {
    const timedRound = round > 0;
    const into = timedRound ? recorder : warmUp;
    const commandUuid = randomUUID().toUpperCase();
    const cpu = process.cpuUsage();
    const outcomes = await queue.enqueueDeviceInformation(ctx.devices.map((d) => d.sim.udid), commandUuid);
    const used = process.cpuUsage(cpu);
    enqueueCpuMicros += used.user + used.system;
    const refused = outcomes.filter((o) => o.outcome !== 'queued');
    if (refused.length > 0) throw new Error(`enqueue refused for ${refused.length} devices: ${JSON.stringify(refused[0])}`);
    // About one device in four reports a new name: those reports record DeviceInformationReported.
    const acks = ctx.devices.map((d, i) => signedPut(ctx.target, d.sim, REPORT, deviceInformationAck(d.sim, commandUuid, Math.floor((round + i) / 4))));
    const expectCommand = (status: number, body: Buffer) =>
      status !== 200 ? `HTTP ${status}` : !body.includes(commandUuid) ? `Idle answered without the queued command (${body.length} bytes)` : undefined;
    const errorsBefore = into.errors;
    const spent = await timed(ctx.serverPid, ctx.baselineCpuMsPerSecond, () =>
      eachConcurrently(ctx.devices, ctx.concurrency, async (d, i) => {
        if ((await exchange(into, d.connection, d.idle, expectCommand)) === undefined) return;
        await exchange(into, d.connection, acks[i]!, expect200Empty);
      }),
    );
    if (timedRound) {
      for (const key of ['ms', 'cpuMs', 'generatorCpuMs', 'otherCpuMs'] as const) total[key] += spent[key];
    } else {
      warmUpCpuMs = spent.cpuMs;
    }
    const perSecond = Math.round((ctx.devices.length * 2 * 1000) / spent.ms);
    progress(`${timedRound ? `round ${round}/${rounds}` : 'warm-up round'}: ${perSecond} req/s, ${round3(spent.cpuMs / ctx.devices.length)} ms server CPU per command, ${into.errors - errorsBefore} errors`);
  }
  if (warmUp.errors > 0) throw new Error(`command warm-up round failed: ${warmUp.firstErrors.join('; ')}`);
  const commands = rounds * ctx.devices.length;
  return {
    ...phaseFigures('command cycles (Idle → command → Acknowledged → empty)', recorder, total),
    commands,
    serverCpuMsPerCommand: round3(total.cpuMs / commands),
    enqueueCpuMsPerCommand: round3(enqueueCpuMicros / 1000 / (commands + ctx.devices.length)),
    warmUpServerCpuMsPerCommand: round3(warmUpCpuMs / ctx.devices.length),
  };
}
