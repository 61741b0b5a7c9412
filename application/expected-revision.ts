import type { ExpectedRevision, StreamRevision } from './ports/event-store.js';

/** Whether a stream whose head is `head` (-1: no stream) satisfies the caller's expectation. */
export function satisfiesExpected(expected: ExpectedRevision, head: StreamRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return head === -1;
  if (expected === 'exists') return head >= 0;
  return expected === head;
}
