import { systemClock } from '../../application/ports/clock.js';
import { ApiTokens } from '../../application/api-tokens/api-tokens.js';
import { API_ROLES, isApiRole } from '../../domain/api-token/api-token.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore } from './store-session.js';

const HELP = `Usage: mdm token create --role R --name N [--username U] [--expires-days D] [--json]
       mdm token list [--json]
       mdm token revoke <token id>

Bearer tokens for the admin API (Authorization: Bearer mdm_<id>_<secret>).

create  Creates a token and prints it on standard output. It is shown once: only a hash of it is
        kept, so store it now.
          --role R          ${API_ROLES.join(', ')}
          --name N          what the token is for (1-128 characters)
          --username U      the person whose devices a user token may see (user tokens only)
          --expires-days D  how long it stays valid (default: until revoked)
          --json            print {"tokenId", "token", "expiresAt"} as JSON
list    Every token: id, role, name, user, created, expiry, revocation. Never a secret.
revoke  Stops a token at once. A running server notices within 10 seconds.

Everything works while the server runs.
`;

const SUB_HELP: Record<string, string> = {
  create: `Usage: mdm token create --role R --name N [--username U] [--expires-days D] [--json]

Creates a token and prints it on standard output. It is shown once: only a hash of it is kept.
  --role R          ${API_ROLES.join(', ')}
  --name N          what the token is for (1-128 characters)
  --username U      the person whose devices a user token may see (user tokens only)
  --expires-days D  how long it stays valid (default: until revoked)
  --json            print {"tokenId", "token", "expiresAt"} as JSON
`,
  list: 'Usage: mdm token list [--json]\n\nEvery API token: id, role, name, user, created, expiry, revocation. Never a secret.\n',
  revoke: 'Usage: mdm token revoke <token id>\n\nStops a token at once. A running server notices within 10 seconds.\n',
};

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Create, list and revoke admin API tokens.',
  help: (args = []) => (args[0] !== undefined && SUB_HELP[args[0]]) || HELP,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'create') return create(rest);
    if (sub === 'list') return list(rest);
    if (sub === 'revoke') return revoke(rest);
    return usageError('token', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
  },
};

async function create(args: string[]): Promise<number> {
  const options = parseOptions(args, { role: { type: 'string' }, name: { type: 'string' }, username: { type: 'string' }, 'expires-days': { type: 'string' }, json: { type: 'boolean' } });
  if (!options.ok) return usageError('token', options.message);
  const v = options.parsed.values;
  if (!isApiRole(v.role)) return usageError('token', `--role takes one of ${API_ROLES.join(', ')}`);
  if (v.name === undefined) return usageError('token', '--name is needed');
  if (v.role === 'user' && v.username === undefined) return usageError('token', 'a user token needs --username');
  if (v.role !== 'user' && v.username !== undefined) return usageError('token', '--username is for user tokens only');
  const days = v['expires-days'] === undefined ? undefined : Number(v['expires-days']);
  if (days !== undefined && !(Number.isFinite(days) && days > 0 && days <= 3660)) return usageError('token', '--expires-days takes a number of days from 1 to 3660');
  return withStore('token', async ({ store, actor }) => {
    const created = await new ApiTokens(store, systemClock).create({ role: v.role as typeof API_ROLES[number], name: v.name!, ...(v.username !== undefined ? { username: v.username } : {}), ...(days !== undefined ? { expiresInDays: days } : {}) }, actor);
    process.stderr.write('mdm token: this token is shown only once; store it now (only a hash of it is kept)\n');
    process.stdout.write(v.json ? `${JSON.stringify(created)}\n` : `token:   ${created.token}\nid:      ${created.tokenId}\nexpires: ${created.expiresAt ?? 'never'}\n`);
    return 0;
  });
}

async function list(args: string[]): Promise<number> {
  const options = parseOptions(args, { json: { type: 'boolean' } });
  if (!options.ok) return usageError('token', options.message);
  return withStore('token', async ({ store }) => {
    const tokens = await new ApiTokens(store, systemClock).list();
    if (options.parsed.values.json) {
      process.stdout.write(`${JSON.stringify(tokens)}\n`);
      return 0;
    }
    const lines = tokens.map((t) => [t.tokenId, t.role, t.name, t.username ?? '-', t.createdAt, t.expiresAt ?? 'never', t.revokedAt ? `revoked ${t.revokedAt}` : 'active'].join('\t'));
    process.stdout.write(['ID\tROLE\tNAME\tUSER\tCREATED\tEXPIRES\tSTATUS', ...lines, ''].join('\n'));
    return 0;
  });
}

async function revoke(args: string[]): Promise<number> {
  const options = parseOptions(args, {}, true);
  if (!options.ok) return usageError('token', options.message);
  const [given, ...extra] = options.parsed.positionals;
  // A whole token works too: only its id is used, the secret never leaves here.
  const tokenId = given?.startsWith('mdm_') ? given.split('_')[1] : given;
  if (!tokenId || extra.length > 0 || !/^[0-9a-f]{32}$/.test(tokenId)) return usageError('token', 'revoke takes one token id (32 hex digits)');
  return withStore('token', async ({ store, actor }) => {
    const revoked = await new ApiTokens(store, systemClock).revoke(tokenId, actor);
    process.stdout.write(revoked ? `revoked: api token ${tokenId}\n` : `already revoked: api token ${tokenId}\n`);
    return 0;
  });
}
