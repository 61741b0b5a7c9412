import { expect } from 'chai';
import { canonicalUserName } from '../../domain/user/user-name.js';
import { userDecider, type UserCommand, type UserEvent } from '../../domain/user/user.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const HASH = 'sb1.00000000.sealed-hash' as Sealed;
const spec = deciderSpec(userDecider);
const created: UserEvent = { type: 'UserCreated', data: { username: 'alice', passwordHash: HASH, group: 'Sales', createdBy: 'admin:root', createdAt: AT } };
const create = (over: Partial<Extract<UserCommand, { type: 'CreateUser' }>> = {}): UserCommand => ({ type: 'CreateUser', username: 'alice', passwordHash: HASH, group: 'Sales', by: 'admin:root', at: AT, ...over });

describe('user decider', () => {
  it('creates a user once, with the sealed hash and the default group', () => {
    spec.given([]).when(create()).then([created]);
    spec.given([created]).when(create()).thenThrows('user-exists');
  });

  it('refuses names, display names and groups outside their alphabets', () => {
    spec.given([]).when(create({ username: 'Alice' })).thenThrows('invalid-user');
    spec.given([]).when(create({ username: '-alice' })).thenThrows('invalid-user');
    spec.given([]).when(create({ displayName: 'line\nbreak' })).thenThrows('invalid-user');
    spec.given([]).when(create({ group: 'a/b' })).thenThrows('invalid-user');
  });

  it('changes passwords, disables and enables (each change once), and sets or clears the group', () => {
    spec.given([]).when({ type: 'DisableUser', username: 'alice', by: 'admin:root', at: AT }).thenThrows('unknown-user');
    const disabled: UserEvent = { type: 'UserDisabled', data: { username: 'alice', disabledBy: 'admin:root', disabledAt: AT } };
    spec.given([created]).when({ type: 'DisableUser', username: 'alice', by: 'admin:root', at: AT }).then([disabled]);
    spec.given([created, disabled]).when({ type: 'DisableUser', username: 'alice', by: 'admin:root', at: AT }).thenNothing();
    spec.given([created]).when({ type: 'EnableUser', username: 'alice', by: 'admin:root', at: AT }).thenNothing();
    spec.given([created, disabled]).when({ type: 'EnableUser', username: 'alice', by: 'admin:root', at: AT }).then([{ type: 'UserEnabled', data: { username: 'alice', enabledBy: 'admin:root', enabledAt: AT } }]);
    spec.given([created]).when({ type: 'ChangeUserPassword', username: 'alice', passwordHash: 'sb1.00000000.other' as Sealed, by: 'user:alice', at: AT })
      .then([{ type: 'UserPasswordChanged', data: { username: 'alice', passwordHash: 'sb1.00000000.other' as Sealed, changedBy: 'user:alice', changedAt: AT } }]);
    spec.given([created]).when({ type: 'SetUserDefaultGroup', username: 'alice', group: 'Sales', by: 'admin:root', at: AT }).thenNothing();
    const cleared: UserEvent = { type: 'UserDefaultGroupChanged', data: { username: 'alice', changedBy: 'admin:root', changedAt: AT } };
    spec.given([created]).when({ type: 'SetUserDefaultGroup', username: 'alice', by: 'admin:root', at: AT }).then([cleared]);
    expect([created, cleared].reduce(userDecider.evolve, userDecider.initialState())).to.not.have.property('group');
  });

  it('canonical user names: case-insensitive, trimmed, NFKC, bounded', () => {
    expect(canonicalUserName('  Alice@Example.COM ')).to.equal('alice@example.com');
    expect(canonicalUserName('ＢＯＢ')).to.equal('bob');
    expect(canonicalUserName('')).to.equal(undefined);
    expect(canonicalUserName('a b')).to.equal(undefined);
    expect(canonicalUserName('x'.repeat(129))).to.equal(undefined);
    expect(canonicalUserName('<script>')).to.equal(undefined);
  });
});
