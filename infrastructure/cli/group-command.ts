import type { AssignedApp } from '../../domain/device-group/assignments.js';
import type { DeviceGroupView } from '../../application/device-groups/device-groups.js';
import { assignedProfileOf } from '../../application/profile-library/profile-library.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { withStore, type StoreSession } from './store-session.js';
import { printable, shortHash, table } from './table.js';

const HELP = `Usage: mdm group <subcommand> [arguments] [--json]

Device groups (for example development and production): their devices, and the profiles and apps
every device in them gets. Enrolled devices get changes at once: assigning a profile queues
InstallProfile on every member, unassigning it queues RemoveProfile where no other group still
assigns it. Works while the server runs.

  mdm group create NAME [--description TEXT] [--quarantine]
                                       NAME: lower-case letters, digits, . _ - (e.g. production).
                                       --quarantine: devices enrolling into it wait for approval.
  mdm group list                       Every group, with its numbers of devices, profiles and apps.
  mdm group show NAME                  A group's settings, devices, profiles and apps.
  mdm group delete NAME                Only an empty group (remove its devices first).
  mdm group add-device NAME UDID...    Devices join the group (enrolled or not yet).
  mdm group remove-device NAME UDID...
  mdm group assign-profile NAME PROFILE     PROFILE: a library profile's SHA-256 or its first
  mdm group unassign-profile NAME PROFILE   6+ hex digits (see 'mdm profile list').
  mdm group assign-app NAME BUNDLE_ID (--itunes-store-id N | --manifest-url URL) [--management-flags 1|4|5]
                                       An App Store app by its id, or an in-house app by its https
                                       manifest. Management flags: 1 remove with the MDM profile,
                                       4 no backup of its data, 5 both.
  mdm group unassign-app NAME BUNDLE_ID     Queues RemoveApplication where no other group assigns it.
  mdm group set-quarantine NAME on|off      Whether new devices enrolling into it wait for approval.

  --json   machine-readable output (list, show, and the result of a change)
`;

const say = (text: string) => void process.stdout.write(text);

function describe(g: DeviceGroupView): string {
  const lines = [
    `name:        ${g.name}`,
    `description: ${printable(g.description)}`,
    `quarantine:  ${g.quarantine ? 'yes (new devices wait for approval)' : 'no'}`,
    `created:     ${g.createdAt}`,
    `devices (${g.members.length}):`,
    ...g.members.map((u) => `  ${u}`),
    `profiles (${g.profiles.length}):`,
    ...g.profiles.map((p) => `  ${shortHash(p.sha256)}  ${printable(p.payloadIdentifier)}${p.displayName ? `  "${printable(p.displayName)}"` : ''}`),
    `apps (${g.apps.length}):`,
    ...g.apps.map((a) => `  ${a.bundleIdentifier}  ${a.iTunesStoreID !== undefined ? `App Store ${a.iTunesStoreID}` : `manifest ${printable(a.manifestUrl ?? '')}`}${a.managementFlags !== undefined ? `  flags ${a.managementFlags}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

function requireGroup(g: DeviceGroupView | undefined, name: string): DeviceGroupView {
  if (!g) throw new DomainError('unknown-group', `there is no device group ${name}`);
  return g;
}

/** After a change: what happened (or that it was so already), or the group as it is now. */
async function report(s: StoreSession, json: boolean, name: string, changed: boolean, done: string, already: string): Promise<number> {
  if (json) say(`${JSON.stringify({ changed, group: (await s.groups.get(name)) ?? null })}\n`);
  else say(`${changed ? done : already}\n`);
  return 0;
}

export const groupCommand: CliCommand = {
  name: 'group',
  summary: 'Manage device groups: devices, assigned profiles and apps, quarantine.',
  help: () => HELP,
  async run(args) {
    const options = parseOptions(args, {
      json: { type: 'boolean' }, description: { type: 'string' }, quarantine: { type: 'boolean' },
      'itunes-store-id': { type: 'string' }, 'manifest-url': { type: 'string' }, 'management-flags': { type: 'string' },
    }, true);
    if (!options.ok) return usageError('group', options.message);
    const v = options.parsed.values;
    const [sub, name, ...rest] = options.parsed.positionals;
    const json = v.json === true;
    const missing = (count: number) => name === undefined || rest.length < count;

    switch (sub) {
      case 'list':
        return withStore('group', async (s) => {
          const groups = await s.groups.list();
          if (json) say(`${JSON.stringify(groups)}\n`);
          else if (groups.length === 0) say('no device groups (create one with: mdm group create NAME)\n');
          else say(table(['NAME', 'QUARANTINE', 'DEVICES', 'PROFILES', 'APPS', 'DESCRIPTION'], groups.map((g) => [g.name, g.quarantine ? 'yes' : 'no', String(g.members.length), String(g.profiles.length), String(g.apps.length), printable(g.description)])));
          return 0;
        });
      case 'show':
        if (missing(0)) return usageError('group', 'usage: mdm group show NAME');
        return withStore('group', async (s) => {
          const g = requireGroup(await s.groups.get(name!), name!);
          say(json ? `${JSON.stringify(g)}\n` : describe(g));
          return 0;
        });
      case 'create':
        if (missing(0)) return usageError('group', 'usage: mdm group create NAME [--description TEXT] [--quarantine]');
        return withStore('group', async (s) => report(s, json, name!, await s.groups.create(name!, { description: v.description ?? '', quarantine: v.quarantine === true }, s.actor), `created group ${name}`, `group ${name} exists already, as asked`));
      case 'delete':
        if (missing(0)) return usageError('group', 'usage: mdm group delete NAME');
        return withStore('group', async (s) => report(s, json, name!, await s.groups.delete(name!, s.actor), `deleted group ${name}`, `group ${name} was deleted already`));
      case 'set-quarantine': {
        const [mode] = rest;
        if (name === undefined || (mode !== 'on' && mode !== 'off')) return usageError('group', 'usage: mdm group set-quarantine NAME on|off');
        return withStore('group', async (s) => report(s, json, name, await s.groups.setQuarantine(name, mode === 'on', s.actor), `quarantine ${mode} for group ${name}`, `quarantine was ${mode} already for group ${name}`));
      }
      case 'add-device':
      case 'remove-device': {
        if (missing(1)) return usageError('group', `usage: mdm group ${sub} NAME UDID...`);
        return withStore('group', async (s) => {
          let changed = false;
          for (const udid of rest) changed = (sub === 'add-device' ? await s.groups.addDevice(name!, udid, s.actor) : await s.groups.removeDevice(name!, udid, s.actor)) || changed;
          return report(s, json, name!, changed, `${sub === 'add-device' ? 'added to' : 'removed from'} group ${name}: ${rest.join(', ')}`, `already in group ${name}: ${rest.join(', ')}`);
        });
      }
      case 'assign-profile':
        if (missing(1)) return usageError('group', 'usage: mdm group assign-profile NAME PROFILE');
        return withStore('group', async (s) => {
          const profile = await (await s.library()).resolve(rest[0]!);
          const what = `${shortHash(profile.sha256)} (${printable(profile.payloadIdentifier)})`;
          return report(s, json, name!, await s.groups.assignProfile(name!, assignedProfileOf(profile), s.actor), `assigned ${what} to group ${name}`, `group ${name} assigns ${what} already`);
        });
      case 'unassign-profile':
        if (missing(1)) return usageError('group', 'usage: mdm group unassign-profile NAME PROFILE');
        return withStore('group', async (s) => {
          const group = requireGroup(await s.groups.get(name!), name!);
          const ref = rest[0]!.toLowerCase();
          const matches = ref.length >= 6 ? group.profiles.filter((p) => p.sha256.startsWith(ref)) : [];
          if (matches.length !== 1) throw new DomainError('profile-not-assigned', matches.length > 1 ? `${ref} names ${matches.length} of the group's profiles; give more digits` : `group ${name} assigns no profile ${ref} (give 6 or more hex digits of its SHA-256)`);
          const profile = matches[0]!;
          return report(s, json, name!, await s.groups.unassignProfile(name!, profile.sha256, s.actor), `unassigned ${shortHash(profile.sha256)} (${printable(profile.payloadIdentifier)}) from group ${name}`, '');
        });
      case 'assign-app': {
        if (missing(1)) return usageError('group', 'usage: mdm group assign-app NAME BUNDLE_ID (--itunes-store-id N | --manifest-url URL) [--management-flags 1|4|5]');
        const storeId = v['itunes-store-id'];
        const flags = v['management-flags'];
        if ((storeId === undefined) === (v['manifest-url'] === undefined)) return usageError('group', 'give exactly one of --itunes-store-id and --manifest-url');
        if (storeId !== undefined && !/^[1-9][0-9]{0,15}$/.test(storeId)) return usageError('group', '--itunes-store-id takes the app\'s numeric App Store id');
        if (flags !== undefined && !['1', '4', '5'].includes(flags)) return usageError('group', '--management-flags takes 1, 4 or 5');
        const app: AssignedApp = {
          bundleIdentifier: rest[0]!,
          ...(storeId !== undefined ? { iTunesStoreID: Number(storeId) } : {}),
          ...(v['manifest-url'] !== undefined ? { manifestUrl: v['manifest-url'] } : {}),
          ...(flags !== undefined ? { managementFlags: Number(flags) as 1 | 4 | 5 } : {}),
        };
        return withStore('group', async (s) => report(s, json, name!, await s.groups.assignApp(name!, app, s.actor), `assigned app ${app.bundleIdentifier} to group ${name}`, `group ${name} assigns ${app.bundleIdentifier} already, as asked`));
      }
      case 'unassign-app':
        if (missing(1)) return usageError('group', 'usage: mdm group unassign-app NAME BUNDLE_ID');
        return withStore('group', async (s) => report(s, json, name!, await s.groups.unassignApp(name!, rest[0]!, s.actor), `unassigned app ${rest[0]} from group ${name}`, ''));
      default:
        return usageError('group', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};
