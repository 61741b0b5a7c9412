import { GENESIS_HASH, recomputeHash } from '../event-integrity.js';
import type { CheckpointSigner } from '../ports/checkpoint-signer.js';
import type { EventStore, Position, RecordedEvent, StreamRevision } from '../ports/event-store.js';
import { AUDIT_CHECKPOINT_STREAM, checkpointBytes, parseCheckpoint } from './checkpoint-event.js';

export type FindingKind =
  /** The event's content no longer matches its hash, or its hash no longer matches what a checkpoint recorded. */
  | 'tampered-event'
  /** The event's prevHash is not the previous event's hash: an event was removed, inserted or reordered before it. */
  | 'broken-link'
  /** Revisions skip: events in the middle or at the start of the stream are gone. */
  | 'revision-gap'
  /** A checkpoint recorded a later revision than the stream now has: its tail was removed. */
  | 'truncated-stream'
  /** A checkpoint recorded a stream that is no longer in the store. */
  | 'missing-stream'
  /** A checkpoint recorded a revision that is gone while later ones remain. */
  | 'missing-event'
  /** A checkpoint's signature does not verify under the key it names (or that key is not at hand). */
  | 'bad-signature'
  /** A checkpoint does not follow the one before it (sequence, previous signature, position): one was removed or replaced. */
  | 'broken-checkpoint-chain'
  /** An event of the checkpoint stream is not a checkpoint. */
  | 'malformed-checkpoint'
  /**
   * An event lies within what the signed checkpoints cover (at or before the last one's position)
   * but none of them recorded it: it was inserted into the store after the checkpoint was signed.
   */
  | 'unrecorded-event';

export interface Finding {
  readonly kind: FindingKind;
  readonly streamId?: string;
  readonly revision?: StreamRevision;
  readonly position?: Position;
  readonly detail: string;
}

export interface AuditReport {
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  readonly checkpointsChecked: number;
  /** At most `maxFindings`; `findingsOmitted` counts the rest. */
  readonly findings: readonly Finding[];
  readonly findingsOmitted: number;
  readonly ok: boolean;
}

export interface AuditProgress {
  readonly phase: 'checkpoints' | 'events';
  /** Events (or checkpoints) read so far in this phase. */
  readonly read: number;
  /** Position of the last event read. */
  readonly position: Position;
}

export interface AuditVerifierOptions {
  readonly pageSize?: number;
  readonly maxFindings?: number;
  readonly onProgress?: (progress: AuditProgress) => void;
}

interface Claim {
  readonly revision: StreamRevision;
  readonly hash: string;
  readonly sequence: number;
  seen: boolean;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;

/** Stored metadata that is not even an object cannot match any hash. */
function safeRecomputeHash(event: RecordedEvent): string | undefined {
  try {
    return recomputeHash(event);
  } catch {
    return undefined;
  }
}

/**
 * Checks the whole store: every stream's hash chain from revision 0, the chain of signed
 * checkpoints, and that every head a checkpoint recorded is still there with the recorded hash
 * (which catches what a chain alone cannot: a stream cut short or removed whole). Memory stays at
 * one entry per stream; events are read in pages and dropped.
 */
export class AuditVerifier {
  private readonly pageSize: number;
  private readonly maxFindings: number;

  /** `signers`: the current checkpoint key and any earlier ones, looked up by key id. */
  constructor(
    private readonly store: EventStore,
    private readonly signers: readonly CheckpointSigner[],
    private readonly options: AuditVerifierOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1_000;
    this.maxFindings = options.maxFindings ?? 1_000;
  }

  async verify(): Promise<AuditReport> {
    const findings: Finding[] = [];
    let omitted = 0;
    const report = (finding: Finding) => {
      if (findings.length < this.maxFindings) findings.push(finding);
      else omitted++;
    };
    const { claims, checkpoints, covered } = await this.checkCheckpoints(report);
    const { events, streams } = await this.checkStreams(claims, covered, report);
    for (const [streamId, claim] of claims) {
      if (claim.seen) continue;
      const head = streams.get(streamId);
      const recorded = `checkpoint ${claim.sequence} recorded revision ${claim.revision} (hash ${short(claim.hash)})`;
      if (!head) report({ kind: 'missing-stream', streamId, revision: claim.revision, detail: `${recorded}; the stream is gone` });
      else if (head.revision < claim.revision) report({ kind: 'truncated-stream', streamId, revision: claim.revision, detail: `${recorded}; the stream now ends at revision ${head.revision}` });
      else report({ kind: 'missing-event', streamId, revision: claim.revision, detail: `${recorded}; that revision is gone, later ones remain` });
    }
    return { eventsChecked: events, streamsChecked: streams.size, checkpointsChecked: checkpoints, findings, findingsOmitted: omitted, ok: findings.length === 0 };
  }

  private async checkCheckpoints(report: (f: Finding) => void): Promise<{ claims: Map<string, Claim>; checkpoints: number; covered: Position | undefined }> {
    const claims = new Map<string, Claim>();
    let checkpoints = 0;
    // Every event up to here, checkpoints aside, is recorded by some signed checkpoint.
    let covered: Position | undefined;
    let unverifiable = false;
    // What the next checkpoint must follow; 'unknown' after one that could not be read.
    let previous: { sequence: number; signature: string; position: Position } | null | 'unknown' = null;
    let fromRevision = 0;
    for (;;) {
      const page = await this.store.readStream(AUDIT_CHECKPOINT_STREAM, { fromRevision, maxCount: this.pageSize });
      for (const event of page) {
        checkpoints++;
        const at = { streamId: AUDIT_CHECKPOINT_STREAM, revision: event.revision, position: event.position };
        const parsed = parseCheckpoint(event.data);
        if (!parsed.ok) {
          report({ kind: 'malformed-checkpoint', ...at, detail: parsed.reason });
          previous = 'unknown';
          continue;
        }
        const c = parsed.checkpoint;
        const signer = this.signers.find((s) => s.keyId === c.keyId);
        const signed = signer?.verify(checkpointBytes(c), c.signature) ?? false;
        if (!signer) report({ kind: 'bad-signature', ...at, detail: `checkpoint ${c.sequence} is signed with key ${c.keyId}, which is not at hand (keys held: ${this.signers.map((s) => s.keyId).join(', ') || 'none'})` });
        else if (!signed) report({ kind: 'bad-signature', ...at, detail: `checkpoint ${c.sequence}: the signature does not match its content under key ${c.keyId}` });
        if (previous !== 'unknown') {
          const problem = previous === null
            ? (c.sequence !== 1 || c.previous !== null ? `the first checkpoint has sequence ${c.sequence} and previous ${c.previous === null ? 'null' : 'set'}; expected 1 and null` : undefined)
            : c.sequence !== previous.sequence + 1
              ? `checkpoint ${c.sequence} follows checkpoint ${previous.sequence}`
              : c.previous !== previous.signature
                ? `checkpoint ${c.sequence} does not name checkpoint ${previous.sequence}'s signature as previous`
                : c.position < previous.position
                  ? `checkpoint ${c.sequence} covers position ${c.position}, before checkpoint ${previous.sequence}'s ${previous.position}`
                  : undefined;
          if (problem) report({ kind: 'broken-checkpoint-chain', ...at, detail: problem });
        }
        previous = { sequence: c.sequence, signature: c.signature, position: c.position };
        // An unsigned claim proves nothing: only signed heads are held against the store.
        // A checkpoint that cannot be verified records nothing, so coverage past it would call its
        // streams unrecorded: the bad signature is the finding, the coverage check stops there.
        if (!signed) unverifiable = true;
        if (signed && !unverifiable) {
          if (covered === undefined || c.position > covered) covered = c.position;
        }
        if (signed) {
          for (const [streamId, [revision, hash]] of Object.entries(c.heads)) {
            // The highest recorded revision is enough: its hash fixes every earlier one through the chain.
            const known = claims.get(streamId);
            if (!known || known.revision < revision) claims.set(streamId, { revision, hash, sequence: c.sequence, seen: false });
          }
        }
      }
      if (page.length > 0) this.options.onProgress?.({ phase: 'checkpoints', read: checkpoints, position: page[page.length - 1]!.position });
      if (page.length < this.pageSize) break;
      fromRevision = page[page.length - 1]!.revision + 1;
    }
    return { claims, checkpoints, covered };
  }

  private async checkStreams(claims: Map<string, Claim>, covered: Position | undefined, report: (f: Finding) => void): Promise<{ events: number; streams: Map<string, { revision: StreamRevision; hash: string }> }> {
    const streams = new Map<string, { revision: StreamRevision; hash: string }>();
    let events = 0;
    let after: Position | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: this.pageSize });
      for (const event of page) {
        events++;
        this.checkEvent(event, streams.get(event.streamId), claims.get(event.streamId), report);
        if (covered !== undefined && event.position <= covered && event.streamId !== AUDIT_CHECKPOINT_STREAM) {
          const claim = claims.get(event.streamId);
          if (!claim || claim.revision < event.revision) {
            report({ kind: 'unrecorded-event', streamId: event.streamId, revision: event.revision, position: event.position, detail: `position ${event.position} is within what the checkpoints cover (up to ${covered}), but no checkpoint recorded ${claim ? `revision ${event.revision} (the latest recorded is ${claim.revision})` : 'this stream'}: written after the checkpoint was signed` });
          }
        }
        streams.set(event.streamId, { revision: event.revision, hash: event.metadata.hash });
        after = event.position;
      }
      if (after !== undefined && page.length > 0) this.options.onProgress?.({ phase: 'events', read: events, position: after });
      if (page.length < this.pageSize) break;
    }
    return { events, streams };
  }

  private checkEvent(event: RecordedEvent, before: { revision: StreamRevision; hash: string } | undefined, claim: Claim | undefined, report: (f: Finding) => void): void {
    const at = { streamId: event.streamId, revision: event.revision, position: event.position };
    const expectedRevision = before ? before.revision + 1 : 0;
    const hash = typeof event.metadata?.hash === 'string' ? event.metadata.hash : '';
    if (event.revision !== expectedRevision) {
      report({ kind: 'revision-gap', ...at, detail: `revision ${event.revision} follows ${before ? `revision ${before.revision}` : 'nothing'}: ${event.revision > expectedRevision ? `revisions ${expectedRevision}-${event.revision - 1} are missing` : 'revisions out of order'}` });
    } else if (event.metadata?.prevHash !== (before?.hash ?? GENESIS_HASH)) {
      report({ kind: 'broken-link', ...at, detail: `prevHash does not match the hash of ${before ? `revision ${before.revision}` : 'the stream start'}` });
    }
    if (safeRecomputeHash(event) !== hash) report({ kind: 'tampered-event', ...at, detail: `content does not match its hash ${short(hash)} (event ${event.eventId}, ${event.type})` });
    if (claim && claim.revision === event.revision) {
      claim.seen = true;
      if (claim.hash !== hash) report({ kind: 'tampered-event', ...at, detail: `checkpoint ${claim.sequence} recorded hash ${short(claim.hash)}; the store holds ${short(hash)}` });
    }
  }
}
