import { systemClock } from '../../application/ports/clock.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { Users } from '../../application/users/users.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { userList } from '../../projections/user-list.js';
import type { Config } from '../config/config.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { openEventStore } from '../eventstore/open-event-store.js';
import { jsonLogger } from '../logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../pki/aes-gcm-secret-box.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { PasswordInputError, readPassword, USER_PASSWORD_ENV } from './read-password.js';

const HELP = `Usage: mdm user <add|passwd|disable|enable|group|list> [options]

Users of the built-in directory: the people who sign in on the enrollment page (<MDM_PUBLIC_URL>/enroll)
to enroll their devices. Passwords are kept as scrypt hashes, sealed with the secrets key. Works
while the server runs: a change applies to the next sign-in.

  mdm user add <name> [--group G] [--display-name N]
                          Add a user. The group is the device group the user's devices join.
  mdm user passwd <name>  Set a new password.
  mdm user disable <name> The user can no longer sign in (devices already enrolled stay).
  mdm user enable <name>  Allow signing in again.
  mdm user group <name> [G]
                          Set the user's device group, or clear it when G is left out.
  mdm user list           Every user with display name, group and status.

User names are compared case-insensitively: 1-128 letters, digits and . _ @ + - (e-mail addresses
work). Passwords are 8 to 1024 characters, read from $${USER_PASSWORD_ENV} or from stdin (typed twice
without echo on a terminal, or the first line of piped input), never from the command line.

Environment: MDM_DATA_DIR, MDM_EVENT_STORE and ESDB_URL, MDM_SECRETS_KEY_FILE, ${USER_PASSWORD_ENV}.
`;

const NAME_RULE = /^[\p{L}\p{N} ._@+-]{1,128}$/u;

export const userCommand: CliCommand = {
  name: 'user',
  summary: 'Manage the users who may sign in on the enrollment page.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    const options = parseOptions(rest, { group: { type: 'string' }, 'display-name': { type: 'string' } }, true);
    if (!options.ok) return usageError('user', options.message);
    const { values, positionals } = options.parsed;
    const expect = (count: number, optional = 0) => positionals.length >= count && positionals.length <= count + optional;
    const allowsOptions = sub === 'add';
    if (!allowsOptions && (values.group !== undefined || values['display-name'] !== undefined)) return usageError('user', `--group and --display-name belong to 'mdm user add'`);
    switch (sub) {
      case 'add':
      case 'passwd':
      case 'disable':
      case 'enable':
        if (!expect(1)) return usageError('user', `'mdm user ${sub}' takes one user name`);
        break;
      case 'group':
        if (!expect(1, 1)) return usageError('user', `'mdm user group' takes a user name and optionally a group`);
        break;
      case 'list':
        if (!expect(0)) return usageError('user', `'mdm user list' takes no arguments`);
        break;
      default:
        return usageError('user', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
    const group = sub === 'group' ? positionals[1] : values.group;
    if (group !== undefined && !NAME_RULE.test(group)) return usageError('user', 'a group takes 1-128 letters, digits, spaces and . _ @ + -');

    let config: Config;
    try {
      config = loadConfig();
    } catch (error) {
      if (error instanceof ConfigError) return usageError('user', `configuration error: ${error.message}`);
      throw error;
    }
    const logger = jsonLogger({ level: 'warn', write: (line) => process.stderr.write(line) });
    const actor = { kind: 'admin', id: process.env['USER'] ?? 'cli' } as const;
    const name = positionals[0]!;

    let password: string | undefined;
    if (sub === 'add' || sub === 'passwd') {
      try {
        password = await readPassword();
      } catch (error) {
        if (error instanceof PasswordInputError) return usageError('user', error.message);
        throw error;
      }
      if (password === undefined) return usageError('user', `no password given: set ${USER_PASSWORD_ENV} or pipe it to stdin`);
    }

    const { store } = await openEventStore(config, logger);
    try {
      if (sub === 'list') return await list(store);
      // The same key the server seals with (created here, as the server would, on a first run).
      const secretsKey = await loadOrCreateSecretsKey(config.secretsKeyFile, { create: config.createSecretsKey });
      const users = new Users(store, new AesGcmSecretBox(secretsKey.key), systemClock);
      switch (sub) {
        case 'add': {
          const username = await users.add({ username: name, password: password!, ...(values['display-name'] !== undefined ? { displayName: values['display-name'] } : {}), ...(group !== undefined ? { group } : {}), actor });
          process.stdout.write(`user ${username} added${group !== undefined ? ` (group ${group})` : ''}\n`);
          return 0;
        }
        case 'passwd':
          await users.changePassword(name, password!, actor);
          process.stdout.write('password changed\n');
          return 0;
        case 'disable':
          process.stdout.write((await users.disable(name, actor)) ? 'user disabled\n' : 'user was already disabled\n');
          return 0;
        case 'enable':
          process.stdout.write((await users.enable(name, actor)) ? 'user enabled\n' : 'user was already enabled\n');
          return 0;
        case 'group':
          await users.setDefaultGroup(name, group, actor);
          process.stdout.write(group !== undefined ? `group set to ${group}\n` : 'group cleared\n');
          return 0;
      }
      return 2;
    } catch (error) {
      if (error instanceof DomainError) {
        process.stderr.write(`mdm user: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await store.close();
    }
  },
};

async function list(store: EventStore): Promise<number> {
  const events: RecordedEvent[] = [];
  for (let after: number | undefined; ; ) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 5000 });
    if (page.length === 0) break;
    for (const event of page) if (event.streamId.startsWith('user-')) events.push(event);
    after = page[page.length - 1]!.position;
  }
  const users = userList(events);
  const rows = [['USER', 'DISPLAY NAME', 'GROUP', 'STATUS', 'CREATED'], ...users.map((u) => [u.username, u.displayName ?? '-', u.group ?? '-', u.disabled ? 'disabled' : 'active', u.createdAt])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n');
  return 0;
}
