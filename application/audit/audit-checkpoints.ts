import { randomUUID } from 'node:crypto';
import type { CheckpointSigner } from '../ports/checkpoint-signer.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, Position, StreamRevision } from '../ports/event-store.js';
import {
  AUDIT_CHECKPOINT_SIGNED,
  AUDIT_CHECKPOINT_STREAM,
  checkpointBytes,
  parseCheckpoint,
  type AuditCheckpointSignedData,
  type CheckpointBody,
  type StreamHead,
} from './checkpoint-event.js';

export interface AuditCheckpointsOptions {
  /** Events read per page. */
  readonly pageSize?: number;
  /** Most heads one checkpoint event carries; a larger delta is split, so events stay small. */
  readonly maxHeadsPerEvent?: number;
}

/** What one run appended. */
export interface CheckpointRun {
  /** Checkpoint events appended (0: nothing changed since the last one). */
  readonly appended: number;
  readonly streams: number;
  /** The last checkpoint after the run, if any. */
  readonly sequence?: number;
  readonly position?: Position;
  readonly signature?: string;
}

interface LastCheckpoint {
  readonly revision: StreamRevision;
  readonly sequence: number;
  readonly position: Position;
  readonly signature: string;
}

interface Head {
  readonly revision: StreamRevision;
  readonly hash: string;
  readonly position: Position;
  /** Position of the stream's first event read in this run. */
  readonly first: Position;
}

export const DEFAULT_MAX_HEADS_PER_EVENT = 2_000;

/**
 * Appends signed checkpoints of the stream heads that changed since the last checkpoint. A head
 * fixes its stream's whole chain up to it, so a later truncation or rewrite of a checkpointed
 * stream no longer verifies. Checkpoints chain to each other through `previous`, and are appended
 * with the stream's known revision, so two writers cannot fork the chain (one of them gets a
 * ConcurrencyError and tries again next time).
 */
export class AuditCheckpoints {
  private readonly pageSize: number;
  private readonly maxHeads: number;

  constructor(
    private readonly store: EventStore,
    private readonly signer: CheckpointSigner,
    private readonly clock: Clock,
    options: AuditCheckpointsOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1_000;
    this.maxHeads = options.maxHeadsPerEvent ?? DEFAULT_MAX_HEADS_PER_EVENT;
    if (!(this.pageSize >= 1 && this.maxHeads >= 1)) throw new RangeError('pageSize and maxHeadsPerEvent must be at least 1');
  }

  async run(): Promise<CheckpointRun> {
    let last = await this.last();
    const changed = new Map<string, Head>();
    // Undefined reads from the start: a store's first position need not be above 0.
    let after: Position | undefined = last?.position;
    for (;;) {
      const page = await this.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: this.pageSize });
      for (const event of page) {
        if (event.streamId !== AUDIT_CHECKPOINT_STREAM) changed.set(event.streamId, { revision: event.revision, hash: event.metadata.hash, position: event.position, first: changed.get(event.streamId)?.first ?? event.position });
        after = event.position;
      }
      if (page.length < this.pageSize) break;
      // The first run reads the whole store, on the thread that serves devices: let requests in.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const summary = (appended: number): CheckpointRun => ({ appended, streams: changed.size, ...(last ? { sequence: last.sequence, position: last.position, signature: last.signature } : {}) });
    if (changed.size === 0) return summary(0);

    // In order of their heads' positions: each part then truthfully covers every event up to its
    // position, and a run interrupted between parts resumes from the last part appended.
    const ordered = [...changed.entries()].sort(([, a], [, b]) => a.position - b.position);
    // A part covers events up to just before the first change of any stream a later part records:
    // a stream with events at 5 and 50 is recorded later, so a part must not claim position 5.
    const firstLater: Position[] = new Array<Position>(ordered.length + 1).fill(Number.POSITIVE_INFINITY);
    for (let i = ordered.length - 1; i >= 0; i--) firstLater[i] = Math.min(firstLater[i + 1]!, ordered[i]![1].first);
    let appended = 0;
    for (let start = 0; start < ordered.length; start += this.maxHeads) {
      const part = ordered.slice(start, start + this.maxHeads);
      const final = start + this.maxHeads >= ordered.length;
      const body: CheckpointBody = {
        sequence: (last?.sequence ?? 0) + 1,
        position: final ? after! : Math.min(part[part.length - 1]![1].position, firstLater[start + this.maxHeads]! - 1),
        previous: last?.signature ?? null,
        heads: Object.fromEntries(part.map(([stream, head]): [string, StreamHead] => [stream, [head.revision, head.hash]])),
        keyId: this.signer.keyId,
      };
      const data: AuditCheckpointSignedData = { ...body, signature: this.signer.sign(checkpointBytes(body)) };
      const result = await this.store.append(
        AUDIT_CHECKPOINT_STREAM,
        [{ eventId: randomUUID(), type: AUDIT_CHECKPOINT_SIGNED, data, metadata: { actor: { kind: 'system', id: 'audit-checkpoints' }, occurredAt: this.clock.now().toISOString() } }],
        last ? last.revision : 'no-stream',
      );
      last = { revision: result.nextRevision, sequence: data.sequence, position: data.position, signature: data.signature };
      appended++;
    }
    return summary(appended);
  }

  private async last(): Promise<LastCheckpoint | undefined> {
    const [event] = await this.store.readStream(AUDIT_CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
    if (!event) return undefined;
    const parsed = parseCheckpoint(event.data);
    // Chaining onto a checkpoint that is not one would hide the damage: stop and let someone look.
    if (!parsed.ok) throw new Error(`the last audit checkpoint (revision ${event.revision}) is malformed: ${parsed.reason}; run 'mdm audit verify'`);
    const { sequence, position, signature } = parsed.checkpoint;
    return { revision: event.revision, sequence, position, signature };
  }
}
