import { DomainError } from '../../domain/shared/domain-error.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore, Position, RecordedEvent, Subscription } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { systemScheduler, type Scheduler } from '../push/scheduler.js';
import { readCheckpoint, writeCheckpoint } from './automation-checkpoint.js';
import { AutomationPlanner, type AutomationAction } from './automation-planner.js';

export type AutomationEnqueueOutcome = { readonly outcome: 'queued' | 'already-queued' } | { readonly outcome: 'refused'; readonly code: string; readonly detail: string };

export interface AutomationDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Queues one command on one device (CommandQueueService.enqueue); the same commandUuid twice queues once. */
  readonly enqueue: (udid: string, request: Readonly<Record<string, unknown>>, options: { commandUuid: string; actor: Actor }) => Promise<AutomationEnqueueOutcome>;
  /** Adds the device to a group (DeviceGroups.addDevice); DomainErrors for an unknown group. */
  readonly joinGroup: (group: string, udid: string, options: { enrollmentId: string; commandId: string; actor: Actor }) => Promise<unknown>;
  /** 0 disables the inventory refresh. */
  readonly refreshIntervalMs: number;
  readonly scheduler?: Scheduler;
  /** How often due refreshes are looked for. */
  readonly refreshTickMs?: number;
  /** At most one checkpoint per this interval while the automation is busy. */
  readonly checkpointEveryMs?: number;
}

export interface AutomationStatus {
  readonly status: 'starting' | 'running' | 'stopped' | 'failed';
  /** The last event folded. */
  readonly position?: Position;
  readonly activeDevices: number;
  readonly queued: number;
  readonly failed: number;
}

const PAGE = 1000;
const MAX_ATTEMPTS = 5;

/**
 * The post-enrollment process manager: follows the event store and queues what AutomationPlanner
 * decides (inventory and group profiles and apps after enrollment or approval, changes after group
 * edits, inventory refreshes on a schedule).
 *
 * Resuming: at start it folds the whole store once into the planner (the planner's view must be
 * exact to decide), acting only on events after its checkpoint; a store without a checkpoint is
 * folded without acting and a checkpoint is written at its head. Events after the checkpoint are
 * acted on again after a crash: their command ids are the same, so nothing is queued twice.
 */
export class PostEnrollmentAutomation {
  private readonly planner = new AutomationPlanner();
  private readonly scheduler: Scheduler;
  private position: Position | undefined;
  /** Events at or before this position were acted on before the last stop. */
  private actAfter = Number.POSITIVE_INFINITY;
  private refreshedThroughMs = 0;
  private dirty = false;
  private chain: Promise<unknown> = Promise.resolve();
  private subscription: Subscription | undefined;
  /** The pending timer of each periodic task, to cancel at stop. */
  private readonly timers = new Map<string, () => void>();
  private state: AutomationStatus['status'] = 'starting';
  private stopping = false;
  private queued = 0;
  private failed = 0;
  private started: Promise<void> | undefined;

  constructor(private readonly deps: AutomationDependencies) {
    this.scheduler = deps.scheduler ?? systemScheduler;
  }

  /** Resolves once the store has been folded and the automation follows it live. */
  start(): Promise<void> {
    this.started ??= this.catchUp().then(
      () => {
        if (this.stopping) return;
        this.state = 'running';
        this.subscription = this.deps.store.subscribeToAll((e) => this.serial(() => this.handle(e)), {
          ...(this.position !== undefined ? { after: this.position } : {}),
          onError: (error) => {
            this.state = 'failed';
            if (!this.stopping) this.deps.logger.error('automation stopped following the event store', { error: error.message });
          },
        });
        this.every('refresh', this.deps.refreshTickMs ?? 60_000, () => this.refreshDue());
        this.every('checkpoint', this.deps.checkpointEveryMs ?? 10_000, () => this.checkpoint());
      },
      (error: unknown) => {
        this.state = 'failed';
        this.deps.logger.error('automation could not read the event store', { error: (error as Error).message });
      },
    );
    return this.started;
  }

  /** Queues the inventory refreshes due since the last look; returns how many commands it queued. */
  async refreshDue(): Promise<number> {
    await this.start();
    return this.serial(async () => {
      if (this.state !== 'running' || this.deps.refreshIntervalMs <= 0) return 0;
      const to = this.deps.clock.now().getTime();
      const actions = this.planner.dueRefreshes(this.refreshedThroughMs, to, this.deps.refreshIntervalMs);
      const queued = await this.act(actions);
      this.refreshedThroughMs = Math.max(this.refreshedThroughMs, to);
      if (actions.length > 0) this.dirty = true;
      return queued;
    });
  }

  status(): AutomationStatus {
    return { status: this.state, ...(this.position !== undefined ? { position: this.position } : {}), activeDevices: this.planner.activeDevices, queued: this.queued, failed: this.failed };
  }

  /** Stops following the store and records where to resume; call before closing the store. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const cancel of this.timers.values()) cancel();
    await this.started?.catch(() => undefined);
    await this.subscription?.close();
    await this.chain.catch(() => undefined);
    if (this.state === 'running') await this.checkpoint();
    this.state = 'stopped';
  }

  private async catchUp(): Promise<void> {
    const checkpoint = await this.reading(() => readCheckpoint(this.deps.store));
    this.actAfter = checkpoint ? (checkpoint.position ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY;
    this.refreshedThroughMs = checkpoint ? Date.parse(checkpoint.refreshedThrough) : this.deps.clock.now().getTime();
    for (;;) {
      if (this.stopping) return;
      const page = await this.reading(() => this.deps.store.readAll({ ...(this.position !== undefined ? { after: this.position } : {}), maxCount: PAGE }));
      if (page.length === 0) break;
      for (const event of page) await this.handle(event);
    }
    this.actAfter = Number.NEGATIVE_INFINITY;
    // The first start on a store: what happened before is history, not a to-do list.
    if (!checkpoint) {
      this.dirty = true;
      await this.checkpoint();
    }
    this.deps.logger.info('automation following the event store', { position: this.position, activeDevices: this.planner.activeDevices, resumedFrom: checkpoint?.position });
  }

  /** A read that may fail for a moment (the file busy, EventStoreDB between leaders) is tried again. */
  private async reading<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (this.stopping || attempt >= MAX_ATTEMPTS * 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  private async handle(event: RecordedEvent): Promise<void> {
    try {
      const actions = this.planner.apply(event);
      if (actions.length > 0 && event.position > this.actAfter) {
        await this.act(actions);
        this.dirty = true;
      }
    } catch (error) {
      // One event the planner cannot read must not stop the automation for every device.
      this.deps.logger.error('automation skipped an event', { position: event.position, type: event.type, error: (error as Error).message });
    }
    this.position = event.position;
  }

  private async act(actions: readonly AutomationAction[]): Promise<number> {
    let queued = 0;
    for (const action of actions) {
      if (await this.execute(action)) queued++;
    }
    return queued;
  }

  /** True when a command was queued; transient failures are retried, then logged and skipped. */
  private async execute(action: AutomationAction): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (action.kind === 'join-group') {
          await this.deps.joinGroup(action.group, action.udid, { enrollmentId: action.enrollmentId, commandId: action.commandId, actor: { kind: 'system', id: 'post-enrollment' } });
          return false;
        }
        const outcome = await this.deps.enqueue(action.udid, action.request, { commandUuid: action.commandUuid, actor: { kind: 'system', id: action.reason } });
        if (outcome.outcome === 'refused') {
          this.deps.logger.info('automation: the device did not take a command', { udid: action.udid, requestType: action.request['requestType'], code: outcome.code });
          return false;
        }
        if (outcome.outcome === 'queued') this.queued++;
        return outcome.outcome === 'queued';
      } catch (error) {
        if (error instanceof DomainError) {
          this.deps.logger.warn('automation: refused', { udid: action.udid, action: action.kind === 'join-group' ? `join ${action.group}` : action.request['requestType'], code: error.code, detail: error.message });
          return false;
        }
        if (this.stopping || attempt >= MAX_ATTEMPTS) {
          this.failed++;
          this.deps.logger.error('automation could not queue a command', { udid: action.udid, action: action.kind === 'join-group' ? `join ${action.group}` : action.request['requestType'], error: (error as Error).message });
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  private async checkpoint(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await writeCheckpoint(this.deps.store, this.deps.clock, { ...(this.position !== undefined ? { position: this.position } : {}), refreshedThrough: new Date(this.refreshedThroughMs).toISOString() });
    } catch (error) {
      this.dirty = true;
      this.deps.logger.warn('automation could not record its checkpoint', { error: (error as Error).message });
    }
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private every(name: string, ms: number, task: () => Promise<unknown>): void {
    const tick = () => {
      if (this.stopping) return;
      void task().catch(() => undefined).finally(() => {
        if (!this.stopping) this.timers.set(name, this.scheduler.schedule(tick, ms));
      });
    };
    this.timers.set(name, this.scheduler.schedule(tick, ms));
  }
}
