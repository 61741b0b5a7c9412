import { canonicalUserName } from '../../domain/user/user-name.js';
import type { Authentication, UserDirectory } from '../ports/user-directory.js';
import type { EventStore } from '../ports/event-store.js';
import type { SecretBox } from '../ports/secret-box.js';
import { DEFAULT_SCRYPT, unmatchableHash, verifyPassword, type ScryptParameters } from './password-hash.js';
import { PASSWORD_MAX_LENGTH, passwordHashContext, readUser } from './users.js';

const DECOY_CONTEXT = 'user-directory/decoy-password-hash';

/**
 * The built-in directory: users from their event streams, passwords checked against the sealed
 * scrypt hash. Every attempt with a well-formed name reads a stream, opens a sealed hash and runs
 * scrypt, whether the user exists, is disabled or not; only then is the outcome decided, so the
 * time an answer takes does not tell which users exist.
 */
export class BuiltInUserDirectory implements UserDirectory {
  private readonly decoy: string;

  constructor(
    private readonly store: EventStore,
    private readonly secretBox: SecretBox,
    scrypt: ScryptParameters = DEFAULT_SCRYPT,
  ) {
    // Sealed, so that opening it costs what opening a real one does.
    this.decoy = secretBox.seal(unmatchableHash(scrypt), DECOY_CONTEXT);
  }

  async authenticate(rawUsername: string, password: string): Promise<Authentication> {
    const username = typeof rawUsername === 'string' ? canonicalUserName(rawUsername) : undefined;
    const state = username ? await readUser(this.store, username) : undefined;
    const hash = this.hashOf(username, state?.passwordHash);
    const usable = typeof password === 'string' && password.length > 0 && password.length <= PASSWORD_MAX_LENGTH;
    const matches = await verifyPassword(usable ? password : '', hash);
    if (!matches || !usable || !username || !state?.username || state.disabled) return { ok: false };
    return { ok: true, user: { username: state.username, ...(state.displayName !== undefined ? { displayName: state.displayName } : {}), ...(state.group !== undefined ? { group: state.group } : {}) } };
  }

  private hashOf(username: string | undefined, sealed: string | undefined): string {
    if (username && sealed) {
      try {
        return this.secretBox.open(sealed, passwordHashContext(username)).toString('utf8');
      } catch {
        // A hash that does not open (another key, an altered event) matches nothing.
      }
    }
    return this.secretBox.open(this.decoy, DECOY_CONTEXT).toString('utf8');
  }
}
