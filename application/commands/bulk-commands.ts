import { createHash, randomUUID } from 'node:crypto';
import {
  MAX_PROGRESS_CHUNK,
  MAX_UDIDS_PER_EVENT,
  bulkCommandDecider,
  bulkCommandStreamId,
  bulkListed,
  isBulkId,
  type BulkCommandCommand,
  type BulkCommandEvent,
  type BulkCommandState,
  type BulkTarget,
} from '../../domain/bulk-command/bulk-command.js';
import { BULK_COMMAND_INDEX_STREAM, bulkCommandIndexDecider, type BulkCommandIndexEvent, type BulkCommandIndexState } from '../../domain/bulk-command/bulk-command-index.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { handleCommand } from '../command-handling.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { CommandQueueService } from '../mdm/command-queue-service.js';
import type { Clock } from '../ports/clock.js';
import { ConcurrencyError, MAX_APPEND_BYTES, type Actor, type EventStore, type RecordedEvent } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';
import { StateCache } from '../state-cache.js';
import { BULK_NAMESPACE, bulkCommandUuid } from './bulk-command-uuid.js';
import { bulkCommandView, type BulkCommandView } from './bulk-command-view.js';

export { bulkCommandUuid } from './bulk-command-uuid.js';
export type { BulkCommandView } from './bulk-command-view.js';

export interface BulkCommandRequest {
  /** Chosen by the client to make its retries safe; a fresh UUID when absent. */
  readonly bulkId?: string;
  readonly target: BulkTarget;
  /** Resolved by the caller (a group's members, a selection's matches); duplicates are dropped, order kept. */
  readonly udids: readonly string[];
  /** The command as an admin gives it (clear PINs, base64 payloads): prepared once here. */
  readonly input: unknown;
  readonly priority?: number;
  readonly ttlSeconds?: number;
  readonly actor: Actor;
  readonly correlationId?: string;
}

/**
 * How a fan-out ended. `superseded`: another fan-out of the same bulk (another process, or one
 * started before a restart) recorded progress first; it carries on, this one stopped.
 */
export type FanOutOutcome = 'completed' | 'superseded' | 'not-listed' | 'unknown-bulk';

export interface BulkCommandsOptions {
  /** Devices queued between two progress events. */
  readonly chunkSize?: number;
  readonly logger?: Logger;
}

const DEFAULT_CHUNK = 250;
const MAX_REFUSAL_DETAIL = 512;
/** Room left in one append for the request when the first part of the device list goes with it. */
const APPEND_BUDGET = Math.floor(MAX_APPEND_BYTES * 0.8);
/** A UDID of 64 characters as JSON, with its comma. */
const BYTES_PER_UDID = 67;
const SYSTEM: Actor = { kind: 'system', id: 'bulk-commands' };

/**
 * One command for many devices. The request is recorded once and answered at once; the fan-out
 * runs in the background, queueing chunk by chunk with a CommandUUID derived from the bulk and the
 * device, and records each chunk's outcome with the stream's expected revision. So a fan-out cut
 * short (a crash, a store error) resumes after the last recorded chunk, re-queueing at most that
 * one chunk, which the devices' queues recognise by CommandUUID: no command lost, none twice.
 *
 * Unfinished bulks are found through the `bulk-command-index` stream rather than a scan of the
 * store. Its entry is written BEFORE the request: a crash between the two writes leaves an entry
 * without a bulk, which resuming skips, whereas the other order could leave an accepted request
 * that nothing ever fans out. Entries are closed once their bulk completed, so a start reads the
 * index and the bulks still open, not every bulk ever sent.
 */
export class BulkCommands {
  private readonly chunkSize: number;
  private readonly cache = new StateCache<BulkCommandState>(100);
  private readonly indexCache = new StateCache<BulkCommandIndexState>(1);
  private readonly running = new Map<string, Promise<FanOutOutcome>>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly queue: CommandQueueService,
    private readonly options: BulkCommandsOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1 || this.chunkSize > MAX_PROGRESS_CHUNK) throw new RangeError(`chunkSize must be 1-${MAX_PROGRESS_CHUNK}`);
  }

  /**
   * Records the request and starts its fan-out without waiting for it. An invalid command throws
   * DomainError('invalid-command'), a bad device list or target 'invalid-udid', 'invalid-bulk',
   * 'bulk-no-devices' or 'bulk-too-large', and nothing is recorded. The same request re-sent under
   * its bulk id returns the bulk as it stands; other content under that id: 'bulk-exists'.
   */
  async request(r: BulkCommandRequest): Promise<BulkCommandView> {
    const bulkId = r.bulkId ?? randomUUID();
    if (!isBulkId(bulkId)) throw new DomainError('invalid-bulk', 'a bulk id is a UUID');
    if (!Array.isArray(r.udids)) throw new DomainError('invalid-bulk', 'the devices are a list of UDIDs');
    const udids = [...new Set(r.udids)];
    const prepared = await this.queue.prepare(r.input);
    const at = this.clock.now().toISOString();
    const requestBytes = Buffer.byteLength(JSON.stringify(prepared.request));
    const firstPart = Math.max(1, Math.min(MAX_UDIDS_PER_EVENT, Math.floor((APPEND_BUDGET - requestBytes) / BYTES_PER_UDID)));
    const command: BulkCommandCommand = {
      type: 'RequestBulkCommand',
      bulkId,
      target: r.target,
      udids: udids.slice(0, firstPart),
      total: udids.length,
      udidsSha256: createHash('sha256').update(udids.join('\n')).digest('hex'),
      request: prepared.request as JsonObject,
      requestType: prepared.requestType,
      requestFingerprint: prepared.fingerprint,
      ...(r.priority !== undefined ? { priority: r.priority } : {}),
      ...(r.ttlSeconds !== undefined ? { ttlSeconds: r.ttlSeconds } : {}),
      requestedBy: `${r.actor.kind}:${r.actor.id}`,
      at,
    };
    // Refused before anything is written, the index entry included.
    bulkCommandDecider.decide(command, await this.state(bulkId));

    const envelope = <C>(c: C) => ({ commandId: randomUUID(), command: c, actor: r.actor, occurredAt: at, ...(r.correlationId ? { correlationId: r.correlationId } : {}) });
    await handleCommand(this.store, bulkCommandIndexDecider, BULK_COMMAND_INDEX_STREAM, envelope({ type: 'IndexBulkCommand' as const, bulkId }), { cache: this.indexCache });
    const streamId = bulkCommandStreamId(bulkId);
    let state = (await handleCommand(this.store, bulkCommandDecider, streamId, envelope(command), { cache: this.cache })).state;
    // The rest of a long list, from wherever an earlier attempt of the same request stopped.
    while (state.udids.length < udids.length) {
      const offset = state.udids.length;
      state = (await handleCommand(this.store, bulkCommandDecider, streamId, envelope({ type: 'ListBulkCommandDevices' as const, bulkId, offset, udids: udids.slice(offset, offset + MAX_UDIDS_PER_EVENT) }), { cache: this.cache })).state;
    }
    this.startFanOut(bulkId);
    return bulkCommandView(state)!;
  }

  /**
   * Queues the bulk on the devices it has not reached yet, chunk by chunk, then records its
   * completion. Devices that refuse it (not enrolled, no unlock token) are recorded, not fatal; a
   * store error rejects, and the next fan-out resumes after the last recorded chunk. Within one
   * process a second call joins the running fan-out.
   */
  fanOut(bulkId: string): Promise<FanOutOutcome> {
    const running = this.running.get(bulkId);
    if (running) return running;
    const run = this.runFanOut(bulkId).finally(() => this.running.delete(bulkId));
    this.running.set(bulkId, run);
    return run;
  }

  /**
   * Fans out every bulk not completed yet (at server start), one after the other. Reads the index
   * and the streams of the bulks still open, never the whole store. A bulk whose fan-out fails is
   * logged and left for the next start.
   */
  async resumeUnfinished(): Promise<Array<{ bulkId: string; outcome: FanOutOutcome | 'failed' }>> {
    const index = await this.indexState();
    const results: Array<{ bulkId: string; outcome: FanOutOutcome | 'failed' }> = [];
    for (const bulkId of index.open) {
      try {
        results.push({ bulkId, outcome: await this.fanOut(bulkId) });
      } catch (error) {
        this.options.logger?.warn('bulk command fan-out stopped; it resumes at the next start', { bulkId, error: error instanceof Error ? error.message : String(error) });
        results.push({ bulkId, outcome: 'failed' });
      }
    }
    return results;
  }

  async get(bulkId: string): Promise<BulkCommandView | undefined> {
    if (!isBulkId(bulkId)) return undefined;
    return bulkCommandView(await this.state(bulkId));
  }

  /** The most recently requested bulks, newest first. */
  async list(options: { limit: number }): Promise<BulkCommandView[]> {
    const limit = Math.max(0, Math.min(Math.floor(options.limit), 1000));
    const ids: string[] = [];
    let from: number | undefined;
    while (ids.length < limit && from !== -1) {
      const page = await this.store.readStream(BULK_COMMAND_INDEX_STREAM, { direction: 'backwards', maxCount: 500, ...(from !== undefined ? { fromRevision: from } : {}) });
      if (page.length === 0) break;
      for (const e of page) if (e.type === 'BulkCommandIndexed' && ids.length < limit) ids.push((e.data as { bulkId: string }).bulkId);
      from = page[page.length - 1]!.revision - 1;
    }
    const views = await Promise.all(ids.map((id) => this.get(id)));
    return views.filter((v): v is BulkCommandView => v !== undefined);
  }

  /** Resolves once no fan-out started by this instance is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private startFanOut(bulkId: string): void {
    this.fanOut(bulkId).catch((error: unknown) => {
      this.options.logger?.warn('bulk command fan-out stopped; it resumes at the next start', { bulkId, error: error instanceof Error ? error.message : String(error) });
    });
  }

  private async runFanOut(bulkId: string): Promise<FanOutOutcome> {
    if (!isBulkId(bulkId)) return 'unknown-bulk';
    const streamId = bulkCommandStreamId(bulkId);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return 'unknown-bulk';
    let state = events.reduce((s, e) => bulkCommandDecider.evolve(s, toEvent<BulkCommandEvent>(e)), bulkCommandDecider.initialState());
    this.cache.set(streamId, { revision: events[events.length - 1]!.revision, state });
    if (!bulkListed(state)) return 'not-listed';
    const requested = state.requested!;
    // Devices get the command from whoever requested the bulk, under the request's correlation id.
    const actor = events[0]!.metadata.actor ?? SYSTEM;
    const correlationId = events[0]!.metadata.correlationId;
    const envelope = <C>(commandId: string, c: C) => ({ commandId, command: c, actor, occurredAt: this.clock.now().toISOString(), ...(correlationId ? { correlationId } : {}) });

    while (state.completedAt === undefined && state.through < requested.total) {
      const from = state.through;
      const outcomes = await this.queue.enqueuePrepared(state.udids.slice(from, from + this.chunkSize), { request: requested.request, requestType: requested.requestType }, {
        commandUuid: (udid) => bulkCommandUuid(bulkId, udid),
        ...(requested.priority !== undefined ? { priority: requested.priority } : {}),
        ...(requested.ttlSeconds !== undefined ? { ttlMs: requested.ttlSeconds * 1000 } : {}),
        actor,
        ...(correlationId ? { correlationId } : {}),
      });
      const refused = outcomes.flatMap((o) => (o.outcome === 'refused' ? [{ udid: o.udid, code: o.code, detail: o.detail.slice(0, MAX_REFUSAL_DETAIL) }] : []));
      const progress = {
        type: 'RecordBulkCommandProgress' as const,
        bulkId,
        from,
        through: from + outcomes.length,
        queued: outcomes.filter((o) => o.outcome === 'queued').length,
        alreadyQueued: outcomes.filter((o) => o.outcome === 'already-queued').length,
        refused,
      };
      try {
        // One attempt: a conflict means another fan-out of this bulk recorded progress; it carries on.
        const result = await handleCommand(this.store, bulkCommandDecider, streamId, envelope(uuidV5(BULK_NAMESPACE, `${bulkId}/progress/${from}`), progress), { cache: this.cache, retry: { maxAttempts: 1, baseDelayMs: 0 } });
        if (result.replayed) return 'superseded';
        state = result.state;
      } catch (error) {
        if (error instanceof ConcurrencyError) return 'superseded';
        if (error instanceof DomainError && ['bulk-progress-stale', 'bulk-progress-invalid', 'bulk-completed'].includes(error.code)) return 'superseded';
        throw error;
      }
    }
    await handleCommand(this.store, bulkCommandDecider, streamId, envelope(uuidV5(BULK_NAMESPACE, `${bulkId}/complete`), { type: 'CompleteBulkCommand' as const, bulkId, at: this.clock.now().toISOString() }), { cache: this.cache });
    await handleCommand(this.store, bulkCommandIndexDecider, BULK_COMMAND_INDEX_STREAM, envelope(uuidV5(BULK_NAMESPACE, `${bulkId}/index-closed`), { type: 'CloseBulkCommandIndexEntry' as const, bulkId }), { cache: this.indexCache });
    return 'completed';
  }

  private async state(bulkId: string): Promise<BulkCommandState> {
    const streamId = bulkCommandStreamId(bulkId);
    const cached = this.cache.get(streamId);
    const events = await this.store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : {});
    const state = events.reduce((s, e) => bulkCommandDecider.evolve(s, toEvent<BulkCommandEvent>(e)), cached?.state ?? bulkCommandDecider.initialState());
    if (events.length > 0) this.cache.set(streamId, { revision: events[events.length - 1]!.revision, state });
    return state;
  }

  private async indexState(): Promise<BulkCommandIndexState> {
    const cached = this.indexCache.get(BULK_COMMAND_INDEX_STREAM);
    const events = await this.store.readStream(BULK_COMMAND_INDEX_STREAM, cached ? { fromRevision: cached.revision + 1 } : {});
    const state = events.reduce((s, e) => bulkCommandIndexDecider.evolve(s, toEvent<BulkCommandIndexEvent>(e)), cached?.state ?? bulkCommandIndexDecider.initialState());
    if (events.length > 0) this.indexCache.set(BULK_COMMAND_INDEX_STREAM, { revision: events[events.length - 1]!.revision, state });
    return state;
  }
}

const toEvent = <E>(e: RecordedEvent): E => ({ type: e.type, data: e.data }) as E;
