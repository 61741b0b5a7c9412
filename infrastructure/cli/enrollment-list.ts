import type { EventStore } from '../../application/ports/event-store.js';
import { enrollmentOverview, type EnrollmentOverview } from '../../projections/enrollment-overview.js';
import { printable } from './enrollment-show.js';

const PAGE = 1000;

/** Folds every event in the store through the enrollment overview (an admin's query, not a hot path). */
export async function enrollmentOverviews(store: EventStore): Promise<EnrollmentOverview[]> {
  const docs = new Map<string, EnrollmentOverview>();
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: PAGE });
    for (const event of page) {
      after = event.position;
      if (!enrollmentOverview.handles.has(event.type)) continue;
      const id = enrollmentOverview.documentId(event);
      if (id === undefined) continue;
      const next = enrollmentOverview.apply(docs.get(id), event);
      if (next === null) docs.delete(id);
      else docs.set(id, next);
    }
    if (page.length < PAGE) break;
  }
  return [...docs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export function formatOverviews(rows: readonly EnrollmentOverview[]): string {
  const header = ['ENROLLMENT', 'METHOD', 'USER', 'GROUP', 'DEVICE', 'STEP', 'QUARANTINE', 'UPDATED'];
  const table = rows.map((r) => [r.enrollmentId ?? '-', r.method ?? '-', r.user ?? '-', r.group ?? '-', r.udid ?? '-', r.step, r.quarantine, r.updatedAt]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  return [header, ...table].map((row) => printable(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd())).join('\n') + '\n';
}
