/**
 * The first answer to an admin API request sent with an `Idempotency-Key`, kept so that the same
 * request under the same key gets the same answer, even from another process or after a restart.
 * Stream `idempotency-<keyHash>`; the key is only ever recorded hashed, the answer only sealed (it
 * may hold a secret shown once, such as a new token).
 */
export type IdempotentResponseRecorded = {
  readonly type: 'IdempotentResponseRecorded';
  readonly data: {
    /** SHA-256 of the caller's scope and the key. */
    readonly keyHash: string;
    /** SHA-256 of the method, path and canonical body: a different request under the same key is refused. */
    readonly requestHash: string;
    readonly operationId: string;
    readonly status: number;
    /** The answer's body and headers, sealed. */
    readonly sealedResponse: string;
    readonly recordedAt: string;
  };
};

export const idempotencyStreamId = (keyHash: string): string => `idempotency-${keyHash}`;
