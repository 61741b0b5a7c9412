import { deviceDecider, deviceStreamId, type DeviceState } from '../../domain/device/device.js';
import { DEFAULT_PRIORITY, type QueuedCommand, type QueuedRequest } from '../../domain/device/queue/queued-command.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';
import { loadDeviceState } from './device-binding.js';

/** Namespace for command ids derived from (CommandUUID, UDID): the same enqueue is the same command. */
const ENQUEUE_NAMESPACE = '0f5d1c8e-7b7e-4b38-9a0e-2f4f5d6c7b8a';
export const DEFAULT_COMMAND_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface EnqueueOptions {
  readonly commandUuid: string;
  readonly priority?: number;
  readonly ttlMs?: number;
  readonly actor: Actor;
  readonly correlationId?: string;
}

export type EnqueueOutcome =
  | { readonly udid: string; readonly outcome: 'queued' | 'already-queued' }
  | { readonly udid: string; readonly outcome: 'refused'; readonly code: string; readonly detail: string };

export interface CommandQueueHooks {
  /** Commands are waiting for this device: wake it (pushes are coalesced downstream). */
  onQueued?(udid: string): void;
}

/**
 * Enqueue, cancel and inspect device command queues. The request must already be validated (and its
 * secrets sealed, its large payloads stored as blobs). One CommandUUID per device: enqueueing the
 * same one again is recognised and changes nothing.
 */
export class CommandQueueService {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly cache: StateCache<DeviceState>,
    private readonly hooks: CommandQueueHooks = {},
  ) {}

  async enqueue(udids: readonly string[], request: QueuedRequest, options: EnqueueOptions): Promise<EnqueueOutcome[]> {
    const now = this.clock.now();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + (options.ttlMs ?? DEFAULT_COMMAND_TTL_MS)).toISOString();
    const outcomes: EnqueueOutcome[] = [];
    for (const udid of udids) {
      try {
        const result = await handleCommand(this.store, deviceDecider, deviceStreamId(udid), {
          commandId: uuidV5(ENQUEUE_NAMESPACE, `${options.commandUuid}/${udid}`),
          command: { type: 'QueueCommand', udid, commandUuid: options.commandUuid, request, priority: options.priority ?? DEFAULT_PRIORITY, expiresAt, queuedBy: `${options.actor.kind}:${options.actor.id}`, at },
          actor: options.actor,
          occurredAt: at,
          ...(options.correlationId ? { correlationId: options.correlationId } : {}),
        }, { cache: this.cache });
        const queued = result.events.length > 0 && !result.replayed;
        outcomes.push({ udid, outcome: queued ? 'queued' : 'already-queued' });
        if (queued) this.hooks.onQueued?.(udid);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ udid, outcome: 'refused', code: error.code, detail: error.message });
      }
    }
    return outcomes;
  }

  async cancel(udid: string, commandUuid: string, actor: Actor): Promise<void> {
    const at = this.clock.now().toISOString();
    await handleCommand(this.store, deviceDecider, deviceStreamId(udid), {
      commandId: uuidV5(ENQUEUE_NAMESPACE, `${commandUuid}/${udid}/cancel`),
      command: { type: 'CancelCommand', udid, commandUuid, cancelledBy: `${actor.kind}:${actor.id}`, at },
      actor,
      occurredAt: at,
    }, { cache: this.cache });
  }

  /**
   * Tells the device, at its next request, that it is not recognised: Apple's clients then remove
   * their enrollment. Pending commands are cancelled. Distinct from refusing an identity (a bare 403).
   */
  async unenroll(udid: string, reason: string, actor: Actor): Promise<void> {
    const at = this.clock.now().toISOString();
    await handleCommand(this.store, deviceDecider, deviceStreamId(udid), {
      commandId: uuidV5(ENQUEUE_NAMESPACE, `${udid}/unenroll/${at}`),
      command: { type: 'RequestUnenrollment', udid, reason, requestedBy: `${actor.kind}:${actor.id}`, at },
      actor,
      occurredAt: at,
    }, { cache: this.cache });
    this.hooks.onQueued?.(udid);
  }

  /** The live queue: waiting, delivered (awaiting a report) and deferred commands, in delivery order. */
  async queue(udid: string): Promise<QueuedCommand[]> {
    const state = await loadDeviceState(this.store, this.cache, udid);
    return [...state.queue.queue].sort((a, b) => b.priority - a.priority || a.sequence - b.sequence);
  }
}
