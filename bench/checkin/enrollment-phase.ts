import { eachConcurrently, measurePhase, type PhaseFigures } from '../support/phase.js';
import { authenticateBody, CHECK_IN, signedPut, tokenUpdateBody } from '../support/sim-devices.js';
import { exchange, expect200Empty, type CheckinContext } from './context.js';

/**
 * Authenticate then TokenUpdate per device, on each device's first connection (so the figures
 * include one full TLS handshake and one certificate chain check per device, as a real enrollment
 * does). Bodies are signed before the clock starts.
 */
export async function enrollmentPhase(ctx: CheckinContext): Promise<PhaseFigures> {
  const requests = ctx.devices.map((d, n) => ({
    device: d,
    authenticate: signedPut(ctx.target, d.sim, CHECK_IN, authenticateBody(d.sim, n)),
    tokenUpdate: signedPut(ctx.target, d.sim, CHECK_IN, tokenUpdateBody(d.sim)),
  }));
  return measurePhase('enrollment (Authenticate + TokenUpdate)', ctx.serverPid, ctx.baselineCpuMsPerSecond, (recorder) =>
    eachConcurrently(requests, ctx.concurrency, async (r) => {
      if ((await exchange(recorder, r.device.connection, r.authenticate, expect200Empty)) === undefined) return;
      await exchange(recorder, r.device.connection, r.tokenUpdate, expect200Empty);
    }),
  );
}
