import { readFile, stat } from 'node:fs/promises';
import type { LibraryProfileView } from '../../application/profile-library/profile-library.js';
import { MAX_PROFILE_BYTES } from '../../domain/profile-library/library-profile.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore } from './store-session.js';
import { printable, shortHash, table } from './table.js';

const HELP = `Usage: mdm profile <subcommand> [arguments] [--json]

The profile library: configuration profiles (.mobileconfig) that device groups assign. A profile
is stored once, by content (the same file uploaded twice is one profile), sealed at rest (profiles
carry Wi-Fi and VPN passwords), and named by its SHA-256 or the first 6+ hex digits of it.
Works while the server runs.

  mdm profile upload FILE     An XML or binary property list, or one CMS-signed as it is (the
                              signature is kept; devices check it). Its top-level PayloadType must
                              be Configuration, with a PayloadIdentifier and PayloadUUID; at most
                              ${MAX_PROFILE_BYTES / 1024} KiB.
  mdm profile list            Every profile in the library, newest first.
  mdm profile show PROFILE    What the profile holds and which groups assign it.
  mdm profile remove PROFILE  Only a profile no group assigns (unassign it first).

  --json   machine-readable output
`;

const say = (text: string) => void process.stdout.write(text);

function describe(p: LibraryProfileView, groups: readonly string[]): string {
  return [
    `sha256:       ${p.sha256}`,
    `identifier:   ${printable(p.payloadIdentifier)}`,
    `uuid:         ${printable(p.payloadUuid)}`,
    `name:         ${printable(p.displayName ?? '')}`,
    `organization: ${printable(p.organization ?? '')}`,
    `format:       ${p.format}${p.signed ? ', signed' : ''}`,
    `size:         ${p.size} bytes`,
    `payloads:     ${p.payloadTypes.map(printable).join(', ') || '(none)'}`,
    `uploaded:     ${p.uploadedAt} by ${p.uploadedBy}`,
    `assigned to:  ${groups.join(', ') || '(no group)'}`,
    '',
  ].join('\n');
}

export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'Upload, list, show or remove configuration profiles in the library.',
  help: () => HELP,
  async run(args) {
    const options = parseOptions(args, { json: { type: 'boolean' } }, true);
    if (!options.ok) return usageError('profile', options.message);
    const json = options.parsed.values.json === true;
    const [sub, target, ...extra] = options.parsed.positionals;
    if (extra.length > 0) return usageError('profile', `unexpected ${JSON.stringify(extra[0])}`);

    switch (sub) {
      case 'upload': {
        if (target === undefined) return usageError('profile', 'usage: mdm profile upload FILE');
        let bytes: Buffer;
        try {
          const info = await stat(target);
          if (!info.isFile()) return usageError('profile', `${target} is not a regular file`);
          if (info.size > MAX_PROFILE_BYTES) return usageError('profile', `${target} has ${info.size} bytes; a profile is at most ${MAX_PROFILE_BYTES}`);
          bytes = await readFile(target);
        } catch (error) {
          return usageError('profile', `cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        return withStore('profile', async (s) => {
          const { profile, created } = await (await s.library()).upload(bytes, s.actor);
          if (json) say(`${JSON.stringify({ created, profile })}\n`);
          else say(`${created ? 'uploaded' : 'already in the library'}: ${shortHash(profile.sha256)}  ${printable(profile.payloadIdentifier)}${profile.displayName ? `  "${printable(profile.displayName)}"` : ''}\nsha256: ${profile.sha256}\n`);
          return 0;
        });
      }
      case 'list':
        return withStore('profile', async (s) => {
          const profiles = await (await s.library()).list();
          if (json) say(`${JSON.stringify(profiles)}\n`);
          else if (profiles.length === 0) say('the library is empty (add a profile with: mdm profile upload FILE)\n');
          else say(table(['PROFILE', 'IDENTIFIER', 'NAME', 'SIGNED', 'BYTES', 'UPLOADED'], profiles.map((p) => [shortHash(p.sha256), printable(p.payloadIdentifier), printable(p.displayName ?? ''), p.signed ? 'yes' : 'no', String(p.size), p.uploadedAt])));
          return 0;
        });
      case 'show':
        if (target === undefined) return usageError('profile', 'usage: mdm profile show PROFILE');
        return withStore('profile', async (s) => {
          const library = await s.library();
          const profile = await library.resolve(target);
          const groups = await library.assignedTo(profile.sha256);
          say(json ? `${JSON.stringify({ ...profile, assignedTo: groups })}\n` : describe(profile, groups));
          return 0;
        });
      case 'remove':
        if (target === undefined) return usageError('profile', 'usage: mdm profile remove PROFILE');
        return withStore('profile', async (s) => {
          const removed = await (await s.library()).remove(target, s.actor);
          say(json ? `${JSON.stringify({ removed: removed.sha256 })}\n` : `removed ${shortHash(removed.sha256)} (${printable(removed.payloadIdentifier)}) from the library\n`);
          return 0;
        });
      default:
        return usageError('profile', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};
