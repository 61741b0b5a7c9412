import { deviceDecider, deviceStreamId, type DeviceState } from '../../domain/device/device.js';
import { REQUEST_TYPE_INFO, type RequestType } from '../../domain/commands/index.js';
import type { QueuedCommand, QueuedRequest } from '../../domain/device/queue/queued-command.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { handleCommand } from '../command-handling.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';
import { loadDeviceState } from './device-binding.js';
import { commandHistory, type CommandHistoryEntry } from '../../projections/command-history.js';
import type { CommandPreparation } from './command-preparation.js';

/** Namespace for command ids derived from (CommandUUID, UDID): the same enqueue is the same command. */
const ENQUEUE_NAMESPACE = '0f5d1c8e-7b7e-4b38-9a0e-2f4f5d6c7b8a';

export interface EnqueueOptions {
  readonly commandUuid: string;
  /** Default: the request type's (urgent security commands first, queries last). */
  readonly priority?: number;
  /** Default: the request type's (a day for queries, two weeks for configuration, ...). */
  readonly ttlMs?: number;
  readonly actor: Actor;
  readonly correlationId?: string;
}

export interface PreparedEnqueueOptions extends Omit<EnqueueOptions, 'commandUuid'> {
  /** One CommandUUID for every device, or each device's own. */
  readonly commandUuid: string | ((udid: string) => string);
}

/** Admin input made fit for the queue: validated, secrets sealed, large payloads stored as blobs. */
export interface PreparedRequest {
  readonly request: Record<string, unknown>;
  readonly requestType: RequestType;
  /** Keyed fingerprint of the input as given (see CommandPreparation.fingerprint). */
  readonly fingerprint: string;
}

export type EnqueueOutcome =
  | { readonly udid: string; readonly outcome: 'queued' | 'already-queued' }
  | { readonly udid: string; readonly outcome: 'refused'; readonly code: string; readonly detail: string };

export interface CommandQueueHooks {
  /** Commands are waiting for this device: wake it (pushes are coalesced downstream). */
  onQueued?(udid: string): void;
  /** A command was queued on a device (not an enqueue recognised as a repeat), for a metric. */
  onCommandQueued?(requestType: string): void;
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
    private readonly preparation: CommandPreparation,
    private readonly hooks: CommandQueueHooks = {},
  ) {}

  /**
   * Validates admin input once (sealing secrets, storing payloads) and queues it on each device.
   * An invalid request throws DomainError('invalid-command') before anything is queued; a device
   * that cannot take it (not enrolled, no unlock token) is refused on its own.
   */
  async enqueue(udids: readonly string[], input: unknown, options: EnqueueOptions): Promise<EnqueueOutcome[]> {
    return this.enqueuePrepared(udids, await this.prepareRequest(input), options);
  }

  /**
   * Prepares and validates admin input without queueing it, for a caller that records the request
   * first and queues it later (bulk commands): throws DomainError('invalid-command') like enqueue.
   */
  async prepare(input: unknown): Promise<PreparedRequest> {
    const prepared = await this.prepareRequest(input);
    return { ...prepared, fingerprint: this.preparation.fingerprint(input) };
  }

  /**
   * Queues a request `prepare` returned (or one recorded from it) on each device, without sealing
   * or storing anything again. `commandUuid` may differ per device.
   */
  async enqueuePrepared(udids: readonly string[], prepared: Pick<PreparedRequest, 'request' | 'requestType'>, options: PreparedEnqueueOptions): Promise<EnqueueOutcome[]> {
    const info = REQUEST_TYPE_INFO[prepared.requestType];
    const now = this.clock.now();
    const at = now.toISOString();
    const expiresAt = new Date(now.getTime() + (options.ttlMs ?? info.defaultTtlSeconds * 1000)).toISOString();
    const priority = options.priority ?? info.defaultPriority;
    const outcomes: EnqueueOutcome[] = [];
    for (const udid of udids) {
      const commandUuid = typeof options.commandUuid === 'string' ? options.commandUuid : options.commandUuid(udid);
      try {
        const request = this.preparation.forDevice(prepared.request, await loadDeviceState(this.store, this.cache, udid)) as QueuedRequest;
        const result = await handleCommand(this.store, deviceDecider, deviceStreamId(udid), {
          commandId: uuidV5(ENQUEUE_NAMESPACE, `${commandUuid}/${udid}`),
          command: { type: 'QueueCommand', udid, commandUuid, request, priority, expiresAt, queuedBy: `${options.actor.kind}:${options.actor.id}`, at },
          actor: options.actor,
          occurredAt: at,
          ...(options.correlationId ? { correlationId: options.correlationId } : {}),
        }, { cache: this.cache });
        const queued = result.events.length > 0 && !result.replayed;
        outcomes.push({ udid, outcome: queued ? 'queued' : 'already-queued' });
        if (queued) {
          this.hooks.onCommandQueued?.(request.requestType);
          this.hooks.onQueued?.(udid);
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        outcomes.push({ udid, outcome: 'refused', code: error.code, detail: error.message });
      }
    }
    return outcomes;
  }

  private async prepareRequest(input: unknown): Promise<Pick<PreparedRequest, 'request' | 'requestType'>> {
    const request = await this.preparation.prepare(input);
    this.preparation.validate(request);
    return { request, requestType: request['requestType'] as RequestType };
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

  /** Every command the device was ever sent, oldest first, with its outcome. */
  async history(udid: string): Promise<CommandHistoryEntry[]> {
    return commandHistory(await this.store.readStream(deviceStreamId(udid)));
  }

  /** The live queue: waiting, delivered (awaiting a report) and deferred commands, in delivery order. */
  async queue(udid: string): Promise<QueuedCommand[]> {
    const state = await loadDeviceState(this.store, this.cache, udid);
    return [...state.queue.queue].sort((a, b) => b.priority - a.priority || a.sequence - b.sequence);
  }
}
