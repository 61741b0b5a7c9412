import { canonicalJson } from './canonical-json.js';

/** The one stream of signed checkpoints; its expected revision keeps it from forking. */
export const AUDIT_CHECKPOINT_STREAM = 'audit-checkpoints';
export const AUDIT_CHECKPOINT_SIGNED = 'AuditCheckpointSigned';

/** A stream's last revision and that event's hash, as a checkpoint records it. */
export type StreamHead = readonly [revision: number, hash: string];

/** Everything a checkpoint signs. */
export interface CheckpointBody {
  /** 1 for the first checkpoint, then one more for each. */
  readonly sequence: number;
  /** Every event up to this position (checkpoints aside) is covered by this checkpoint or an earlier one. */
  readonly position: number;
  /** The previous checkpoint's signature; null for the first. */
  readonly previous: string | null;
  /** Streams that changed since the previous checkpoint → their head. */
  readonly heads: Readonly<Record<string, StreamHead>>;
  readonly keyId: string;
}

export interface AuditCheckpointSignedData extends CheckpointBody {
  readonly signature: string;
}

export type AuditCheckpointSigned = { readonly type: typeof AUDIT_CHECKPOINT_SIGNED; readonly data: AuditCheckpointSignedData };

const TAG = 'mdm-audit-checkpoint-v1\n';

/** The bytes a checkpoint's signature covers: the tagged canonical JSON of all its data but the signature. */
export function checkpointBytes(data: CheckpointBody | AuditCheckpointSignedData): Buffer {
  const { signature: _excluded, ...body } = data as AuditCheckpointSignedData;
  return Buffer.from(TAG + canonicalJson(body), 'utf8');
}

const HASH = /^[0-9a-f]{64}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 512;

/** The checkpoint in an event's data, or why it is not one (the data came from the store: untrusted). */
export function parseCheckpoint(data: unknown): { ok: true; checkpoint: AuditCheckpointSignedData } | { ok: false; reason: string } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'data is not an object' };
  const d = data as Record<string, unknown>;
  if (!isCount(d['sequence']) || d['sequence'] < 1) return { ok: false, reason: 'sequence is not a whole number from 1' };
  if (!isCount(d['position'])) return { ok: false, reason: 'position is not a whole number' };
  if (d['previous'] !== null && !isText(d['previous'])) return { ok: false, reason: 'previous is neither null nor a signature' };
  if (!isText(d['keyId'])) return { ok: false, reason: 'keyId is missing' };
  if (!isText(d['signature'])) return { ok: false, reason: 'signature is missing' };
  const heads = d['heads'];
  if (typeof heads !== 'object' || heads === null || Array.isArray(heads)) return { ok: false, reason: 'heads is not an object' };
  for (const [stream, head] of Object.entries(heads)) {
    if (!Array.isArray(head) || head.length !== 2 || !isCount(head[0]) || typeof head[1] !== 'string' || !HASH.test(head[1])) {
      return { ok: false, reason: `head of ${JSON.stringify(stream.slice(0, 200))} is not [revision, hash]` };
    }
  }
  return { ok: true, checkpoint: data as AuditCheckpointSignedData };
}
