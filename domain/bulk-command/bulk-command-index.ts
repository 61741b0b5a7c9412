import type { Decider } from '../shared/decider.js';
import { StringSet } from '../shared/string-set.js';

/**
 * Which bulk commands exist and which of them may still need fanning out, so a server start finds
 * the unfinished ones without reading the whole store. Stream `bulk-command-index`.
 *
 * An entry is written before the bulk command's first event (a request that then fails leaves an
 * entry without a stream, which readers skip), and closed after its `BulkCommandCompleted` (a crash
 * in between leaves it open: the next start reads the bulk stream, sees it completed, closes it).
 */
export type BulkCommandIndexCommand =
  | { readonly type: 'IndexBulkCommand'; readonly bulkId: string }
  | { readonly type: 'CloseBulkCommandIndexEntry'; readonly bulkId: string };

export type BulkCommandIndexEvent =
  | { readonly type: 'BulkCommandIndexed'; readonly data: { readonly bulkId: string } }
  | { readonly type: 'BulkCommandIndexEntryClosed'; readonly data: { readonly bulkId: string } };

export interface BulkCommandIndexState {
  readonly indexed: StringSet;
  /** Indexed and not closed. */
  readonly open: StringSet;
}

export const BULK_COMMAND_INDEX_STREAM = 'bulk-command-index';

/** Idempotent by bulk id, so it may be used with a state cache. */
export const bulkCommandIndexDecider: Decider<BulkCommandIndexCommand, BulkCommandIndexEvent, BulkCommandIndexState> = {
  initialState: () => ({ indexed: StringSet.empty, open: StringSet.empty }),
  decide: (c, s) => {
    switch (c.type) {
      case 'IndexBulkCommand':
        return s.indexed.has(c.bulkId) ? [] : [{ type: 'BulkCommandIndexed', data: { bulkId: c.bulkId } }];
      case 'CloseBulkCommandIndexEntry':
        return s.open.has(c.bulkId) ? [{ type: 'BulkCommandIndexEntryClosed', data: { bulkId: c.bulkId } }] : [];
    }
  },
  evolve: (s, e) => {
    switch (e.type) {
      case 'BulkCommandIndexed':
        return { indexed: s.indexed.add(e.data.bulkId), open: s.open.add(e.data.bulkId) };
      case 'BulkCommandIndexEntryClosed':
        return { ...s, open: s.open.delete(e.data.bulkId) };
    }
  },
};
