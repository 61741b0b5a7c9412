import { createHash } from 'node:crypto';
import { idempotencyStreamId, type IdempotentResponseRecorded } from '../../domain/idempotency/idempotent-response.js';
import type { Clock } from '../ports/clock.js';
import { ConcurrencyError, type Actor, type EventStore } from '../ports/event-store.js';
import type { SecretBox } from '../ports/secret-box.js';
import { uuidV5 } from '../deterministic-ids.js';

export interface StoredResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotentOutcome {
  readonly requestHash: string;
  readonly response: StoredResponse;
}

const NAMESPACE = '8c1d2e57-3a64-4f0b-9d2e-7b5a1c3e9f40';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The answers given to requests that carried an Idempotency-Key, one stream per (caller, key). The
 * first answer recorded wins: two processes racing on one key both answer with it.
 */
export class IdempotencyRecords {
  constructor(
    private readonly store: EventStore,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** Keys are per caller: two tokens may use the same key for different things. */
  keyHash(scope: string, key: string): string {
    return sha256(`${scope}\n${key}`);
  }

  async find(keyHash: string): Promise<IdempotentOutcome | undefined> {
    const [first] = await this.store.readStream(idempotencyStreamId(keyHash), { maxCount: 1 });
    if (!first) return undefined;
    const data = (first as unknown as IdempotentResponseRecorded).data;
    const response = JSON.parse(this.secrets.open(data.sealedResponse, this.context(keyHash)).toString('utf8')) as StoredResponse;
    return { requestHash: data.requestHash, response };
  }

  /** Records the answer unless one was recorded first; returns the answer that stands. */
  async record(keyHash: string, requestHash: string, operationId: string, response: StoredResponse, actor: Actor): Promise<IdempotentOutcome> {
    const at = this.clock.now().toISOString();
    const event: IdempotentResponseRecorded = {
      type: 'IdempotentResponseRecorded',
      data: { keyHash, requestHash, operationId, status: response.status, sealedResponse: this.secrets.seal(JSON.stringify(response), this.context(keyHash)), recordedAt: at },
    };
    try {
      await this.store.append(idempotencyStreamId(keyHash), [{
        eventId: uuidV5(NAMESPACE, keyHash),
        type: event.type,
        data: event.data,
        metadata: { correlationId: keyHash, causationId: keyHash, actor, occurredAt: at, version: 1 },
      }], 'no-stream');
      return { requestHash, response };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const standing = await this.find(keyHash);
      if (!standing) throw error;
      return standing;
    }
  }

  private context(keyHash: string): string {
    return `idempotency/${keyHash}`;
  }
}
