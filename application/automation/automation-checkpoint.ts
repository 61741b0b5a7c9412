import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { EventStore, Position } from '../ports/event-store.js';

/**
 * Where the automation resumes: every event up to `position` has been acted on, and every refresh
 * due up to `refreshedThrough`. Stream `automation-checkpoint`, appended only after the automation
 * queued something, and read backwards (the last one counts), so it costs one read at start.
 */
export interface AutomationCheckpoint {
  /** Absent while the store held no event yet. */
  readonly position?: Position;
  readonly refreshedThrough: string;
}

export const AUTOMATION_CHECKPOINT_STREAM = 'automation-checkpoint';
export const AUTOMATION_CHECKPOINTED = 'AutomationCheckpointed';

export async function readCheckpoint(store: EventStore): Promise<AutomationCheckpoint | undefined> {
  const [last] = await store.readStream(AUTOMATION_CHECKPOINT_STREAM, { direction: 'backwards', maxCount: 1 });
  const data = last?.data as Partial<AutomationCheckpoint> | undefined;
  if (!data || (data.position !== undefined && !Number.isSafeInteger(data.position)) || typeof data.refreshedThrough !== 'string' || !Number.isFinite(Date.parse(data.refreshedThrough))) return undefined;
  return { ...(data.position !== undefined ? { position: data.position } : {}), refreshedThrough: data.refreshedThrough };
}

export async function writeCheckpoint(store: EventStore, clock: Clock, checkpoint: AutomationCheckpoint): Promise<void> {
  await store.append(AUTOMATION_CHECKPOINT_STREAM, [{
    eventId: randomUUID(),
    type: AUTOMATION_CHECKPOINTED,
    data: { ...(checkpoint.position !== undefined ? { position: checkpoint.position } : {}), refreshedThrough: checkpoint.refreshedThrough },
    metadata: { actor: { kind: 'system', id: 'automation' }, occurredAt: clock.now().toISOString(), version: 1 },
  }], 'any');
}
