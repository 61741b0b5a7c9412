import type { Decider } from '../shared/decider.js';
import { StringSet } from '../shared/string-set.js';

/**
 * A list of the keys of one kind of aggregate (device group names, library profile hashes), so they
 * can be listed without reading the whole store. Append-only: an entry is written before its
 * aggregate's first event and stays after the aggregate is deleted; readers check the aggregate.
 * Stream `directory-<kind>`.
 */
export type DirectoryCommand = { readonly type: 'AddDirectoryEntry'; readonly key: string };
export type DirectoryEvent = { readonly type: 'DirectoryEntryAdded'; readonly data: { readonly key: string } };
export interface DirectoryState {
  readonly keys: StringSet;
}

export const directoryStreamId = (kind: 'device-groups' | 'library-profiles'): string => `directory-${kind}`;

export const directoryDecider: Decider<DirectoryCommand, DirectoryEvent, DirectoryState> = {
  initialState: () => ({ keys: StringSet.empty }),
  decide: (c, s) => (s.keys.has(c.key) ? [] : [{ type: 'DirectoryEntryAdded', data: { key: c.key } }]),
  evolve: (s, e) => ({ keys: s.keys.add(e.data.key) }),
};
