import { systemClock } from '../../application/ports/clock.js';
import { EnrollmentTokens } from '../../application/enrollment/enrollment-tokens.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore } from './store-session.js';

const HELP = `Usage: mdm enrollment-token create [--user U] [--group G] [--uses N] [--expires-hours H]
       mdm enrollment-token show <token id>
       mdm enrollment-token revoke <token id>

create  Creates an enrollment token and prints it with its enrollment URL
        (<MDM_PUBLIC_URL>/enroll/<token>). Opening the URL on a device downloads its enrollment
        profile, with a one-time SCEP challenge bound to that enrollment. The token is shown once:
        only a hash of it is kept.
          --user U           the person the enrolled device belongs to
          --group G          the device group it joins (it must exist: see 'mdm group create')
          --uses N           how many devices may enroll with it (default 1)
          --expires-hours H  how long it stays valid (default 168, a week)
show    What is recorded about a token: user, group, uses, expiry, whether it was revoked.
revoke  Stops a token from enrolling anything more (a link that leaked). Devices already enrolled
        with it stay enrolled.

The token id is the part of the token before the dot (create prints it). Everything works while
the server runs.
`;

export const enrollmentTokenCommand: CliCommand = {
  name: 'enrollment-token',
  summary: 'Create an enrollment token and print its enrollment URL.',
  help: () => HELP,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === 'show' || sub === 'revoke') return manage(sub, rest);
    if (sub !== 'create') return usageError('enrollment-token', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    const options = parseOptions(rest, { user: { type: 'string' }, group: { type: 'string' }, uses: { type: 'string' }, 'expires-hours': { type: 'string' } });
    if (!options.ok) return usageError('enrollment-token', options.message);
    const v = options.parsed.values;
    const uses = v.uses === undefined ? 1 : Number(v.uses);
    const hours = v['expires-hours'] === undefined ? 168 : Number(v['expires-hours']);
    if (!Number.isInteger(uses) || uses < 1 || uses > 100_000) return usageError('enrollment-token', '--uses takes a whole number from 1 to 100000');
    if (!(hours > 0 && hours <= 24 * 366)) return usageError('enrollment-token', '--expires-hours takes a number of hours up to a year');
    for (const [name, value] of [['user', v.user], ['group', v.group]] as const) {
      if (value !== undefined && !/^[\p{L}\p{N} ._@+-]{1,128}$/u.test(value)) return usageError('enrollment-token', `--${name} takes 1-128 letters, digits, spaces and . _ @ + -`);
    }
    return withStore('enrollment-token', async ({ config, store, actor, groups }) => {
      // A misspelt group would otherwise only show when the first device enrolls into nothing.
      if (v.group !== undefined && !(await groups.get(v.group))) return usageError('enrollment-token', `there is no device group ${v.group} (create it with 'mdm group create')`);
      const created = await new EnrollmentTokens(store, systemClock).create({
        maxUses: uses, ttlMs: hours * 3_600_000, actor,
        ...(v.user ? { user: v.user } : {}), ...(v.group ? { group: v.group } : {}),
      });
      process.stdout.write(`token:   ${created.token}\nid:      ${created.tokenId}\nurl:     ${config.device.publicUrl.replace(/\/+$/, '')}/enroll/${created.token}\nexpires: ${created.expiresAt}\nuses:    ${uses}\n`);
      return 0;
    });
  },
};

async function manage(sub: 'show' | 'revoke', args: string[]): Promise<number> {
  const options = parseOptions(args, {}, true);
  if (!options.ok) return usageError('enrollment-token', options.message);
  const [given, ...extra] = options.parsed.positionals;
  // A whole token works too: only its id (before the dot) is used, the secret never leaves here.
  const tokenId = given?.split('.')[0]?.toLowerCase();
  if (!tokenId || extra.length > 0 || !/^[0-9a-f]{32}$/.test(tokenId)) return usageError('enrollment-token', `${sub} takes one token id (32 hex digits, the part of the token before the dot)`);
  return withStore('enrollment-token', async ({ store, actor }) => {
    const tokens = new EnrollmentTokens(store, systemClock);
    const before = await tokens.describe(tokenId);
    if (!before?.created) {
      process.stderr.write(`mdm enrollment-token: no enrollment token ${tokenId}\n`);
      return 1;
    }
    if (sub === 'revoke') {
      const revoked = await tokens.revoke(tokenId, actor);
      process.stdout.write(revoked ? `revoked: enrollment token ${tokenId}\n` : `already revoked: enrollment token ${tokenId}\n`);
      return 0;
    }
    const c = before.created;
    process.stdout.write([
      `id:       ${tokenId}`,
      `user:     ${c.user ?? '-'}`,
      `group:    ${c.group ?? '-'}`,
      `uses:     ${before.uses} of ${c.maxUses}`,
      `created:  ${c.createdAt} by ${c.createdBy}`,
      `expires:  ${c.expiresAt}`,
      `revoked:  ${before.revoked ? 'yes' : 'no'}`,
      '',
    ].join('\n'));
    return 0;
  });
}
