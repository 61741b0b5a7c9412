import { randomUUID } from 'node:crypto';
import { securityStreamId, type DeviceIdentityRefused } from '../../domain/security/identity-refused.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { Logger } from '../ports/logger.js';

export interface RefusalRecord {
  readonly reason: string;
  readonly remoteAddress: string;
  readonly udid?: string;
  readonly certificateHash?: string;
}

/** Decides whether a refusal is recorded (at most one per source and reason per window, bounded). */
export type RefusalRateLimit = (remoteAddress: string, reason: string, now: Date) => boolean;

/**
 * Records refused device identities as security events, through a rate limit, so that
 * unauthenticated traffic cannot grow the store.
 */
export class IdentityRefusals {
  private windowStart = 0;
  private inWindow = 0;
  /** Refusals not recorded because of the global cap (a metric, not an event). */
  suppressed = 0;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly shouldRecord: RefusalRateLimit,
    /** Records per minute across all sources: many sources (an IPv6 /48 has 65,536 /64s) share it. */
    private readonly maxPerMinute = 100,
  ) {}

  async record(r: RefusalRecord): Promise<boolean> {
    const now = this.clock.now();
    if (!this.shouldRecord(r.remoteAddress, r.reason, now)) return false;
    if (now.getTime() - this.windowStart >= 60_000) {
      this.windowStart = now.getTime();
      this.inWindow = 0;
    }
    if (this.inWindow >= this.maxPerMinute) {
      this.suppressed++;
      return false;
    }
    this.inWindow++;
    const at = now.toISOString();
    const event: DeviceIdentityRefused = {
      type: 'DeviceIdentityRefused',
      data: { reason: r.reason, remoteAddress: r.remoteAddress, ...(r.udid ? { udid: r.udid } : {}), ...(r.certificateHash ? { certificateHash: r.certificateHash } : {}), refusedAt: at },
    };
    this.logger.warn('device identity refused', event.data);
    await this.store.append(securityStreamId(at), [{ eventId: randomUUID(), type: event.type, data: event.data, metadata: { actor: { kind: 'system', id: 'device-endpoint' }, occurredAt: at, version: 1 } }], 'any');
    return true;
  }
}
