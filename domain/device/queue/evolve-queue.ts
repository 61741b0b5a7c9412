import { assertNever } from '../../shared/decider.js';
import type { QueueEvent } from './events.js';
import type { QueuedCommand } from './queued-command.js';
import { RECENTLY_FINISHED_LIMIT, type QueueState } from './queue-state.js';

const update = (s: QueueState, uuid: string, change: (c: QueuedCommand) => QueuedCommand): QueueState => ({
  ...s,
  queue: s.queue.map((c) => (c.commandUuid === uuid ? change(c) : c)),
});

const finish = (s: QueueState, uuid: string): QueueState => ({
  ...s,
  queue: s.queue.filter((c) => c.commandUuid !== uuid),
  recentlyFinished: [...s.recentlyFinished, uuid].slice(-RECENTLY_FINISHED_LIMIT),
});

export function evolveQueue(s: QueueState, e: QueueEvent): QueueState {
  switch (e.type) {
    case 'CommandQueued':
      return {
        ...s,
        nextSequence: s.nextSequence + 1,
        queue: [...s.queue, { commandUuid: e.data.commandUuid, request: e.data.request, priority: e.data.priority, queuedAt: e.data.queuedAt, expiresAt: e.data.expiresAt, sequence: s.nextSequence, status: 'queued', deliveries: 0, deferrals: 0 }],
      };
    case 'CommandDelivered':
      return update(s, e.data.commandUuid, (c) => ({ ...c, status: 'delivered', deliveries: e.data.attempt }));
    case 'CommandDeferred':
      return update(s, e.data.commandUuid, (c) => ({ ...c, status: 'deferred', deferrals: e.data.deferrals }));
    case 'CommandAcknowledged':
    case 'CommandFailed':
    case 'CommandExpired':
    case 'CommandCancelled':
      return finish(s, e.data.commandUuid);
    case 'DeviceSeen':
      return { ...s, lastSeenAt: e.data.seenAt };
    case 'DeviceInformationReported':
    case 'SecurityInfoReported':
    case 'ProfileListReported':
    case 'InstalledApplicationListReported':
    case 'CertificateListReported':
    case 'ProvisioningProfileListReported':
    case 'ManagedApplicationListReported':
    case 'RestrictionsReported':
      return { ...s, resultFingerprints: { ...s.resultFingerprints, [e.data.kind]: e.data.fingerprint } };
    default:
      return assertNever(e);
  }
}
