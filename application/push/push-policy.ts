/** Timings and bounds of the push policy. Every loop it starts ends by itself. */
export interface PushPolicy {
  /** requestPush calls for one device within this window become one push. */
  readonly coalesceMs: number;
  /** A batch this large is sent at once instead of waiting for the window to end. */
  readonly maxBatch: number;
  /** Re-push of a device that was pushed but has not checked in while commands wait. */
  readonly repush: Backoff;
  /** Retries after 429, 5xx, network failures and timeouts. */
  readonly retry: Backoff;
  /** A device whose token APNs called unregistered is pushed at most this often with that token. */
  readonly unregisteredRetryMs: number;
  /** How many daily attempts an unregistered token gets before the coordinator stops trying it. */
  readonly unregisteredMaxAttempts: number;
  /** First hold-back after a configuration fault; doubles on each failed probe, up to the maximum. */
  readonly circuitCooldownMs: number;
  readonly circuitMaxCooldownMs: number;
  /** Most devices with a pending re-push or retry at once; beyond it no new timers are started. */
  readonly maxTrackedDevices: number;
}

export interface Backoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxAttempts: number;
}

export const defaultPushPolicy: PushPolicy = {
  coalesceMs: 50,
  maxBatch: 1_000,
  repush: { initialDelayMs: 60_000, maxDelayMs: 60 * 60_000, maxAttempts: 6 },
  retry: { initialDelayMs: 5_000, maxDelayMs: 5 * 60_000, maxAttempts: 10 },
  unregisteredRetryMs: 24 * 60 * 60_000,
  unregisteredMaxAttempts: 7,
  circuitCooldownMs: 5 * 60_000,
  circuitMaxCooldownMs: 60 * 60_000,
  maxTrackedDevices: 100_000,
};

/** Delay before attempt `attempt` (1-based): initial, 2×, 4× … capped. */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.min(exponent, 30));
}

export function resolvePushPolicy(overrides: PushPolicyOverrides = {}): PushPolicy {
  const policy: PushPolicy = {
    ...defaultPushPolicy,
    ...overrides,
    repush: { ...defaultPushPolicy.repush, ...overrides.repush },
    retry: { ...defaultPushPolicy.retry, ...overrides.retry },
  };
  for (const [name, value] of numbers(policy)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`push policy ${name} must be a non-negative number, got ${value}`);
  }
  if (policy.maxBatch < 1) throw new RangeError('push policy maxBatch must be at least 1');
  return policy;
}

export type PushPolicyOverrides = Partial<Omit<PushPolicy, 'repush' | 'retry'>> & {
  readonly repush?: Partial<Backoff>;
  readonly retry?: Partial<Backoff>;
};

function numbers(policy: PushPolicy): [string, number][] {
  const { repush, retry, ...flat } = policy;
  return [
    ...Object.entries(flat),
    ...Object.entries(repush).map(([k, v]) => [`repush.${k}`, v] as [string, number]),
    ...Object.entries(retry).map(([k, v]) => [`retry.${k}`, v] as [string, number]),
  ];
}
