import { randomUUID } from 'node:crypto';
import { canonicalUserName } from '../../domain/user/user-name.js';
import { userDecider, userStreamId, type UserCommand, type UserEvent, type UserState } from '../../domain/user/user.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { Sealed } from '../../domain/shared/sealed.js';
import { handleCommand } from '../command-handling.js';
import type { Clock } from '../ports/clock.js';
import type { Actor, EventStore } from '../ports/event-store.js';
import type { SecretBox } from '../ports/secret-box.js';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParameters } from './password-hash.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

/** The SecretBox context of a user's password hash: a hash sealed for one user does not open as another's. */
export const passwordHashContext = (username: string): string => `user/${username}/password-hash`;

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly displayName?: string;
  readonly group?: string;
  readonly actor: Actor;
}

/**
 * The built-in directory's users, as admins manage them (the CLI). Works on the event store alone,
 * so a user added while the server runs can sign in at once.
 */
export class Users {
  constructor(
    private readonly store: EventStore,
    private readonly secretBox: SecretBox,
    private readonly clock: Clock,
    private readonly scrypt: ScryptParameters = DEFAULT_SCRYPT,
  ) {}

  /** Returns the canonical user name. DomainError for a bad name, a weak password or an existing user. */
  async add(user: NewUser): Promise<string> {
    const username = nameOf(user.username);
    const passwordHash = await this.sealedHash(username, user.password);
    await this.handle({ type: 'CreateUser', username, passwordHash, ...(user.displayName !== undefined ? { displayName: user.displayName } : {}), ...(user.group !== undefined ? { group: user.group } : {}), by: by(user.actor), at: this.now() }, user.actor);
    return username;
  }

  async changePassword(rawUsername: string, password: string, actor: Actor): Promise<void> {
    const username = nameOf(rawUsername);
    await this.handle({ type: 'ChangeUserPassword', username, passwordHash: await this.sealedHash(username, password), by: by(actor), at: this.now() }, actor);
  }

  /** True when it changed anything. */
  async disable(rawUsername: string, actor: Actor): Promise<boolean> {
    const username = nameOf(rawUsername);
    return this.handle({ type: 'DisableUser', username, by: by(actor), at: this.now() }, actor);
  }

  async enable(rawUsername: string, actor: Actor): Promise<boolean> {
    const username = nameOf(rawUsername);
    return this.handle({ type: 'EnableUser', username, by: by(actor), at: this.now() }, actor);
  }

  /** `group` undefined: the user's devices join no group by default. */
  async setDefaultGroup(rawUsername: string, group: string | undefined, actor: Actor): Promise<boolean> {
    const username = nameOf(rawUsername);
    return this.handle({ type: 'SetUserDefaultGroup', username, ...(group !== undefined ? { group } : {}), by: by(actor), at: this.now() }, actor);
  }

  private async sealedHash(username: string, password: string): Promise<Sealed> {
    if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      throw new DomainError('invalid-password', `a password is ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
    }
    return this.secretBox.seal(await hashPassword(password, this.scrypt), passwordHashContext(username)) as Sealed;
  }

  private async handle(command: UserCommand, actor: Actor): Promise<boolean> {
    const result = await handleCommand<UserCommand, UserEvent, UserState>(this.store, userDecider, userStreamId(command.username), { commandId: randomUUID(), command, actor, occurredAt: command.at });
    return result.events.length > 0;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function nameOf(raw: string): string {
  const username = canonicalUserName(raw);
  if (!username) throw new DomainError('invalid-user', 'a user name is 1-128 letters, digits and . _ @ + -, starting with a letter or digit');
  return username;
}

const by = (actor: Actor): string => `${actor.kind}:${actor.id}`;

/** A user's current state from its stream (undefined `username`: no such user). */
export async function readUser(store: EventStore, username: string): Promise<UserState> {
  const events = await store.readStream(userStreamId(username));
  return events.reduce((s, e) => userDecider.evolve(s, { type: e.type, data: e.data } as UserEvent), userDecider.initialState());
}
