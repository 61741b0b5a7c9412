import type { Position } from '../ports/event-store.js';

/** What the runner knows of one document: its committed content (null: no such document) and position. */
export interface CachedDocument {
  readonly doc: object | null;
  readonly position: Position;
}

/**
 * Committed documents kept between batches, least recently used dropped first. A device's events
 * are spread over the whole log, so without it every batch would read and parse the same inventory
 * documents again. Entries are replaced only after their commit succeeded.
 */
export class DocumentCache {
  private readonly entries = new Map<string, CachedDocument>();

  constructor(private readonly capacity: number) {}

  get(id: string): CachedDocument | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  set(id: string, entry: CachedDocument): void {
    if (this.capacity <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
