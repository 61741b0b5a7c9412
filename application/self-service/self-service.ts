import type { DeviceState } from '../../domain/device/device.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { RequestType } from '../../domain/commands/index.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { StateCache } from '../state-cache.js';
import { loadDeviceState } from '../mdm/device-binding.js';
import type { CommandQueueService, EnqueueOutcome } from '../mdm/command-queue-service.js';

/** The commands a person may send to their own devices, at most; the operator picks from these. */
export const SELF_SERVICE_REQUEST_TYPES = ['DeviceLock', 'ClearPasscode', 'EraseDevice'] as const satisfies readonly RequestType[];
export type SelfServiceRequestType = (typeof SELF_SERVICE_REQUEST_TYPES)[number];

export interface SelfServicePolicy {
  /** Which of SELF_SERVICE_REQUEST_TYPES users may send. */
  readonly allowed: readonly SelfServiceRequestType[];
  /** At most this many commands per user per window. */
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * What a person may do with the devices enrolled in their name (the enrollment's user): see them,
 * and lock, clear the passcode or erase them where the operator's policy allows. Commands are
 * queued as the user, so the device's stream records who asked; they are rate-limited per user.
 */
export class SelfService {
  /** User → times of their recent commands (in this process). */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly store: EventStore,
    private readonly cache: StateCache<DeviceState>,
    private readonly commands: CommandQueueService,
    private readonly clock: Clock,
    private readonly policy: SelfServicePolicy,
  ) {}

  /** Whether `udid` is enrolled in `username`'s name, by the device's own stream (never a lagging read model). */
  async owns(username: string, udid: string): Promise<boolean> {
    const state = await this.device(udid);
    return state !== undefined && state.enrollment?.user === username;
  }

  /**
   * Queues a command on the user's own device. Refused (DomainError) when the device is not theirs
   * ('unknown-device': nobody learns which devices exist), when the type is not allowed
   * ('self-service-not-allowed') or when the user sent too many lately ('self-service-rate-limited').
   */
  async enqueue(username: string, udid: string, input: Record<string, unknown>, options: { commandUuid: string; actor: Actor; correlationId?: string }): Promise<EnqueueOutcome> {
    if (!(await this.owns(username, udid))) throw new DomainError('unknown-device', `no device ${udid}`);
    const type = input['requestType'];
    if (!this.policy.allowed.includes(type as SelfServiceRequestType)) {
      throw new DomainError('self-service-not-allowed', `users may send ${this.policy.allowed.length > 0 ? this.policy.allowed.join(', ') : 'no commands'} to their own devices`);
    }
    const retryAfterMs = this.take(username);
    if (retryAfterMs !== undefined) throw Object.assign(new DomainError('self-service-rate-limited', `at most ${this.policy.limit} commands per ${Math.round(this.policy.windowMs / 60_000)} minutes; try again later`), { retryAfterMs });
    const [outcome] = await this.commands.enqueue([udid], input, { commandUuid: options.commandUuid, actor: options.actor, ...(options.correlationId ? { correlationId: options.correlationId } : {}) });
    return outcome!;
  }

  /** Counts a command against the user's window; the wait in ms when the window is full. */
  private take(username: string): number | undefined {
    const now = this.clock.now().getTime();
    const times = (this.recent.get(username) ?? []).filter((t) => now - t < this.policy.windowMs);
    if (times.length >= this.policy.limit) {
      this.recent.set(username, times);
      return this.policy.windowMs - (now - times[0]!);
    }
    times.push(now);
    this.recent.set(username, times);
    return undefined;
  }

  private async device(udid: string): Promise<DeviceState | undefined> {
    if (!/^[A-Za-z0-9-]{1,128}$/.test(udid)) return undefined;
    const state = await loadDeviceState(this.store, this.cache, udid);
    return state.status === 'unknown' || state.udid === undefined ? undefined : state;
  }
}
