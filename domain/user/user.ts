import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import type { Sealed } from '../shared/sealed.js';
import { isCanonicalUserName, isDisplayName, isGroupName } from './user-name.js';

/**
 * A user of the built-in directory: the person who signs in on the enrollment page. Stream
 * `user-<username>`. The password hash arrives sealed (SecretBox): the events say that a password
 * was set or changed, never anything that helps guess it.
 */
export type UserCommand =
  | { readonly type: 'CreateUser'; readonly username: string; readonly passwordHash: Sealed; readonly displayName?: string; readonly group?: string; readonly by: string; readonly at: string }
  | { readonly type: 'ChangeUserPassword'; readonly username: string; readonly passwordHash: Sealed; readonly by: string; readonly at: string }
  | { readonly type: 'DisableUser'; readonly username: string; readonly by: string; readonly at: string }
  | { readonly type: 'EnableUser'; readonly username: string; readonly by: string; readonly at: string }
  | { readonly type: 'SetUserDefaultGroup'; readonly username: string; readonly group?: string; readonly by: string; readonly at: string };

export type UserCreated = {
  readonly type: 'UserCreated';
  readonly data: { readonly username: string; readonly passwordHash: Sealed; readonly displayName?: string; readonly group?: string; readonly createdBy: string; readonly createdAt: string };
};
export type UserPasswordChanged = {
  readonly type: 'UserPasswordChanged';
  readonly data: { readonly username: string; readonly passwordHash: Sealed; readonly changedBy: string; readonly changedAt: string };
};
export type UserDisabled = { readonly type: 'UserDisabled'; readonly data: { readonly username: string; readonly disabledBy: string; readonly disabledAt: string } };
export type UserEnabled = { readonly type: 'UserEnabled'; readonly data: { readonly username: string; readonly enabledBy: string; readonly enabledAt: string } };
/** The device group a user's enrollments join; no `group`: none. */
export type UserDefaultGroupChanged = {
  readonly type: 'UserDefaultGroupChanged';
  readonly data: { readonly username: string; readonly group?: string; readonly changedBy: string; readonly changedAt: string };
};

export type UserEvent = UserCreated | UserPasswordChanged | UserDisabled | UserEnabled | UserDefaultGroupChanged;

export interface UserState {
  readonly username?: string;
  readonly displayName?: string;
  readonly group?: string;
  readonly passwordHash?: Sealed;
  readonly disabled: boolean;
  readonly createdAt?: string;
}

export const userStreamId = (username: string): string => `user-${username}`;

function requireUser(s: UserState, username: string): void {
  if (!s.username) throw new DomainError('unknown-user', `no user ${username}`);
}

function decide(c: UserCommand, s: UserState): UserEvent[] {
  switch (c.type) {
    case 'CreateUser':
      if (s.username) throw new DomainError('user-exists', `user ${c.username} already exists`);
      if (!isCanonicalUserName(c.username)) throw new DomainError('invalid-user', 'a user name is 1-128 lower-case letters, digits and . _ @ + -, starting with a letter or digit');
      if (c.displayName !== undefined && !isDisplayName(c.displayName)) throw new DomainError('invalid-user', 'a display name is 1-128 printable characters');
      if (c.group !== undefined && !isGroupName(c.group)) throw new DomainError('invalid-user', 'a group name is 1-128 letters, digits, spaces and . _ @ + -');
      return [{ type: 'UserCreated', data: { username: c.username, passwordHash: c.passwordHash, ...(c.displayName !== undefined ? { displayName: c.displayName } : {}), ...(c.group !== undefined ? { group: c.group } : {}), createdBy: c.by, createdAt: c.at } }];
    case 'ChangeUserPassword':
      requireUser(s, c.username);
      return [{ type: 'UserPasswordChanged', data: { username: c.username, passwordHash: c.passwordHash, changedBy: c.by, changedAt: c.at } }];
    case 'DisableUser':
      requireUser(s, c.username);
      return s.disabled ? [] : [{ type: 'UserDisabled', data: { username: c.username, disabledBy: c.by, disabledAt: c.at } }];
    case 'EnableUser':
      requireUser(s, c.username);
      return s.disabled ? [{ type: 'UserEnabled', data: { username: c.username, enabledBy: c.by, enabledAt: c.at } }] : [];
    case 'SetUserDefaultGroup':
      requireUser(s, c.username);
      if (c.group !== undefined && !isGroupName(c.group)) throw new DomainError('invalid-user', 'a group name is 1-128 letters, digits, spaces and . _ @ + -');
      if (s.group === c.group) return [];
      return [{ type: 'UserDefaultGroupChanged', data: { username: c.username, ...(c.group !== undefined ? { group: c.group } : {}), changedBy: c.by, changedAt: c.at } }];
  }
}

function evolve(s: UserState, e: UserEvent): UserState {
  switch (e.type) {
    case 'UserCreated':
      return { username: e.data.username, passwordHash: e.data.passwordHash, disabled: false, createdAt: e.data.createdAt, ...(e.data.displayName !== undefined ? { displayName: e.data.displayName } : {}), ...(e.data.group !== undefined ? { group: e.data.group } : {}) };
    case 'UserPasswordChanged':
      return { ...s, passwordHash: e.data.passwordHash };
    case 'UserDisabled':
      return { ...s, disabled: true };
    case 'UserEnabled':
      return { ...s, disabled: false };
    case 'UserDefaultGroupChanged': {
      const { group: _previous, ...rest } = s;
      return e.data.group !== undefined ? { ...rest, group: e.data.group } : rest;
    }
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ disabled: false }),
  decide,
  evolve,
};
