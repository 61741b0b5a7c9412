import type { MdmPush } from '../ports/push-sender.js';

/**
 * A device's push coordinates as the store knows them. `tokenInvalidatedAt` is set when a
 * PushTokenInvalidated for this very token is already recorded, so the once-per-token and
 * once-a-day rules hold across restarts, not only within one process.
 */
export interface PushTarget extends MdmPush {
  readonly tokenInvalidatedAt?: Date;
}

/** The store's view of which devices can be pushed (undefined: not enrolled, checked out, unknown). */
export type PushTargetLookup = (udid: string) => Promise<PushTarget | undefined>;
