import { randomUUID } from 'node:crypto';
import { apiAccessDeniedStreamId, type ApiAccessDenied } from '../../domain/api-token/api-access-denied.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';

export type AccessDenial = Omit<ApiAccessDenied['data'], 'deniedAt'>;

/** Records refused admin API calls for auditors (the caller rate-limits). */
export class AccessDenials {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async record(denial: AccessDenial): Promise<void> {
    const at = this.clock.now().toISOString();
    const event: ApiAccessDenied = { type: 'ApiAccessDenied', data: { ...denial, deniedAt: at } };
    const id = randomUUID();
    await this.store.append(apiAccessDeniedStreamId(at), [{
      eventId: id,
      type: event.type,
      data: event.data,
      metadata: {
        correlationId: id, causationId: id, occurredAt: at, version: 1,
        actor: denial.tokenId ? { kind: (denial.role ?? 'system') as 'admin', id: denial.tokenId } : { kind: 'system', id: `anonymous@${denial.remoteAddress}` },
      },
    }], 'any');
  }
}
