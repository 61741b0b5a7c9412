import type { RecordedEvent } from '../application/ports/event-store.js';
import type { UserEvent } from '../domain/user/user.js';
import type { Projection } from './projection.js';

/** A user as the list shows it: never the password hash. */
export interface UserListEntry {
  readonly username: string;
  readonly displayName?: string;
  readonly group?: string;
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly passwordChangedAt?: string;
}

const HANDLES = new Set<UserEvent['type']>(['UserCreated', 'UserPasswordChanged', 'UserDisabled', 'UserEnabled', 'UserDefaultGroupChanged']);

export const userListProjection: Projection<UserListEntry> = {
  name: 'users',
  version: 1,
  handles: HANDLES,
  documentId: (event) => (event.streamId.startsWith('user-') && HANDLES.has(event.type as UserEvent['type']) ? (event.data as { username: string }).username : undefined),
  apply(current, recorded) {
    const e = { type: recorded.type, data: recorded.data } as UserEvent;
    if (e.type === 'UserCreated') {
      return { username: e.data.username, disabled: false, createdAt: e.data.createdAt, ...(e.data.displayName !== undefined ? { displayName: e.data.displayName } : {}), ...(e.data.group !== undefined ? { group: e.data.group } : {}) };
    }
    if (!current) return null;
    switch (e.type) {
      case 'UserPasswordChanged':
        return { ...current, passwordChangedAt: e.data.changedAt };
      case 'UserDisabled':
        return { ...current, disabled: true };
      case 'UserEnabled':
        return { ...current, disabled: false };
      case 'UserDefaultGroupChanged': {
        const { group: _previous, ...rest } = current;
        return e.data.group !== undefined ? { ...rest, group: e.data.group } : rest;
      }
    }
  },
};

/** The users in name order, from events in position order. */
export function userList(events: Iterable<RecordedEvent>): UserListEntry[] {
  const users = new Map<string, UserListEntry>();
  for (const event of events) {
    if (!userListProjection.handles.has(event.type)) continue;
    const id = userListProjection.documentId(event);
    if (id === undefined) continue;
    const next = userListProjection.apply(users.get(id), event);
    if (next === null) users.delete(id);
    else users.set(id, next);
  }
  return [...users.values()].sort((a, b) => a.username.localeCompare(b.username));
}
