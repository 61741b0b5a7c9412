import type { StreamRevision } from './ports/event-store.js';

export interface CachedState<State> {
  readonly revision: StreamRevision;
  readonly state: State;
}

/**
 * Aggregate states by stream, least recently used evicted first. An entry is only a starting point:
 * the command loop always reads the events after its revision, so an entry made stale by another
 * process costs a short read, never a wrong decision (the append's expected revision guards it).
 */
export class StateCache<State> {
  private readonly entries = new Map<string, CachedState<State>>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 10_000) {}

  get(streamId: string): CachedState<State> | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
      this.hits++;
    } else {
      this.misses++;
    }
    return entry;
  }

  set(streamId: string, entry: CachedState<State>): void {
    const current = this.entries.get(streamId);
    if (current && current.revision > entry.revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
