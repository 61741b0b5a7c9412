import { DeviceConnection } from '../support/device-connection.js';
import { eachConcurrently, measurePhase, type PhaseFigures } from '../support/phase.js';
import { exchange, expect200Empty, type CheckinContext } from './context.js';

export interface HandshakeFigures extends PhaseFigures {
  /** Connections whose TLS session was actually resumed. */
  readonly resumedConnections: number;
}

/**
 * `connections` fresh TLS connections, each carrying one Idle and then closed: compared with the
 * keep-alive Idle, the difference is what setting up a connection costs the server. `resume`
 * offers each device's last TLS session (an abbreviated handshake) instead of a full handshake.
 */
export async function handshakePhase(ctx: CheckinContext, connections: number, resume: boolean): Promise<HandshakeFigures> {
  const plan = Array.from({ length: connections }, (_, i) => ctx.devices[i % ctx.devices.length]!);
  if (resume) {
    // Each device needs a session to offer; a device without one gets it untimed here.
    await eachConcurrently(ctx.devices.filter((d) => !d.session), ctx.concurrency, async (d) => {
      const c = new DeviceConnection(ctx.target);
      await c.send(d.idleThenClose);
      d.session = c.session;
    });
  }
  let resumed = 0;
  // A device never has two connections open at once: workers take devices, not connections.
  const byDevice = new Map<(typeof plan)[number], number>();
  for (const d of plan) byDevice.set(d, (byDevice.get(d) ?? 0) + 1);
  const figures = await measurePhase(resume ? 'fresh connections, resumed TLS' : 'fresh connections, full TLS handshake', ctx.serverPid, ctx.baselineCpuMsPerSecond, (recorder) =>
    eachConcurrently([...byDevice], ctx.concurrency, async ([d, count]) => {
      for (let i = 0; i < count; i++) {
        const connection = new DeviceConnection(ctx.target, resume && d.session ? { resumeWith: d.session } : {});
        await exchange(recorder, connection, d.idleThenClose, expect200Empty);
        connection.close();
        if (connection.resumed) resumed++;
        if (connection.session) d.session = connection.session;
      }
    }),
  );
  return { ...figures, resumedConnections: resumed };
}
