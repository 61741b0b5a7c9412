import type { RecordedEvent } from '../application/ports/event-store.js';
import type { DeviceEvent } from '../domain/device/device.js';

export type CommandOutcome = 'queued' | 'delivered' | 'deferred' | 'acknowledged' | 'failed' | 'expired' | 'cancelled';

/** One command's life on one device, as admins and auditors read it. */
export interface CommandHistoryEntry {
  readonly commandUuid: string;
  readonly requestType: string;
  readonly status: CommandOutcome;
  readonly priority: number;
  readonly queuedAt: string;
  readonly queuedBy: string;
  readonly expiresAt: string;
  readonly deliveries: number;
  readonly deferrals: number;
  readonly lastDeliveredAt?: string;
  readonly finishedAt?: string;
  readonly errorChain?: readonly unknown[];
  readonly cancelledBy?: string;
}

/**
 * A device's command history from its stream, oldest first. Pure: times come from the events, so
 * the same stream always gives the same history.
 */
export function commandHistory(events: readonly RecordedEvent[]): CommandHistoryEntry[] {
  const entries = new Map<string, CommandHistoryEntry>();
  const update = (uuid: string, change: Partial<CommandHistoryEntry>) => {
    const current = entries.get(uuid);
    if (current) entries.set(uuid, { ...current, ...change });
  };
  for (const recorded of events) {
    const e = { type: recorded.type, data: recorded.data } as DeviceEvent;
    switch (e.type) {
      case 'CommandQueued':
        entries.set(e.data.commandUuid, {
          commandUuid: e.data.commandUuid, requestType: e.data.request.requestType, status: 'queued', priority: e.data.priority,
          queuedAt: e.data.queuedAt, queuedBy: e.data.queuedBy, expiresAt: e.data.expiresAt, deliveries: 0, deferrals: 0,
        });
        break;
      case 'CommandDelivered':
        update(e.data.commandUuid, { status: 'delivered', deliveries: e.data.attempt, lastDeliveredAt: e.data.deliveredAt });
        break;
      case 'CommandDeferred':
        update(e.data.commandUuid, { status: 'deferred', deferrals: e.data.deferrals });
        break;
      case 'CommandAcknowledged':
        update(e.data.commandUuid, { status: 'acknowledged', finishedAt: e.data.acknowledgedAt });
        break;
      case 'CommandFailed':
        update(e.data.commandUuid, { status: 'failed', finishedAt: e.data.failedAt, errorChain: e.data.errorChain });
        break;
      case 'CommandExpired':
        update(e.data.commandUuid, { status: 'expired', finishedAt: e.data.expiredAt });
        break;
      case 'CommandCancelled':
        update(e.data.commandUuid, { status: 'cancelled', finishedAt: e.data.cancelledAt, cancelledBy: e.data.cancelledBy });
        break;
      default:
        break;
    }
  }
  return [...entries.values()];
}
