import { eachConcurrently, measurePhase, PhaseRecorder, type PhaseFigures } from '../support/phase.js';
import { exchange, expect200Empty, type CheckinContext } from './context.js';

/**
 * Idle check-ins with nothing queued over each device's keep-alive connection, for `seconds`.
 * Every device sends one Idle first, untimed: its first Idle records DeviceSeen, the later ones
 * append nothing, and the timed part should measure the latter.
 */
export async function idlePhase(ctx: CheckinContext, seconds: number): Promise<PhaseFigures> {
  const warmUp = new PhaseRecorder();
  await eachConcurrently(ctx.devices, ctx.concurrency, async (d) => void (await exchange(warmUp, d.connection, d.idle, expect200Empty)));
  if (warmUp.errors > 0) throw new Error(`idle warm-up failed: ${warmUp.firstErrors.join('; ')}`);

  const workers = Math.min(ctx.concurrency, ctx.devices.length);
  return measurePhase('idle check-ins (keep-alive)', ctx.serverPid, ctx.baselineCpuMsPerSecond, async (recorder) => {
    const deadline = Date.now() + seconds * 1000;
    // Worker w owns devices w, w + workers, …: one request in flight per connection, as on a device.
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const mine = ctx.devices.filter((_d, i) => i % workers === w);
        for (let n = 0; Date.now() < deadline; n++) {
          const d = mine[n % mine.length]!;
          await exchange(recorder, d.connection, d.idle, expect200Empty);
        }
      }),
    );
  });
}
