import { readFileSync, statSync } from 'node:fs';
import { CompliancePolicies, type PolicyChanges } from '../../application/compliance/compliance-policies.js';
import { systemClock } from '../../application/ports/clock.js';
import type { ComplianceRule, PolicyScope } from '../../domain/compliance-policy/compliance-policy.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import type { PolicyDocument } from '../../projections/compliance-policies.js';
import type { CliCommand } from './commands.js';
import { parseOptions, usageError } from './options.js';
import { policyHelp } from './policy-help.js';
import { withStore } from './store-session.js';
import { printable, table } from './table.js';

const say = (text: string) => void process.stdout.write(text);
const MAX_RULES_FILE_BYTES = 1_000_000;

const ENCRYPTION: Record<number, string> = { 1: 'block-level', 2: 'file-level', 3: 'block- and file-level' };

function describeRule(rule: ComplianceRule): string {
  switch (rule.type) {
    case 'passcode-required':
      return 'passcode set';
    case 'hardware-encryption':
      return `${ENCRYPTION[rule.caps]} encryption (Macs: FileVault on)`;
    case 'minimum-os-version':
      return `OS ${rule.version} or later`;
    case 'required-profiles':
      return `profiles installed: ${rule.identifiers.map(printable).join(', ')}`;
    case 'forbidden-profiles':
      return `profiles not installed: ${rule.identifiers.map(printable).join(', ')}`;
    case 'required-apps':
      return `apps installed: ${rule.identifiers.map(printable).join(', ')}`;
    case 'maximum-days-since-seen':
      return `seen within ${rule.days} days`;
    case 'certificates-expiring':
      return rule.withinDays === 0 ? 'no expired certificate' : `no certificate expiring within ${rule.withinDays} days`;
    case 'roaming-off':
      return `${rule.data && rule.voice ? 'data and voice' : rule.data ? 'data' : 'voice'} roaming off`;
  }
}

const describeScope = (scope: PolicyScope): string => (scope.type === 'all' ? 'every enrolled device' : `groups ${scope.groups.join(', ')}`);

function describe(p: PolicyDocument): string {
  return `${[
    `id:          ${p.policyId}`,
    `name:        ${printable(p.name)}`,
    ...(p.description ? [`description: ${printable(p.description)}`] : []),
    `scope:       ${describeScope(p.scope)}`,
    `status:      ${p.retired ? `retired ${p.retiredAt ?? ''}`.trimEnd() : 'in force'}`,
    `revision:    ${p.revision}`,
    `defined:     ${p.definedAt} by ${printable(p.definedBy)}`,
    `in effect:   since ${p.effectiveSince}`,
    `rules (${p.rules.length}):`,
    ...p.rules.map((r) => `  ${r.type.padEnd(24)} ${describeRule(r)}`),
  ].join('\n')}\n`;
}

/** The rules JSON from --rules or --rules-file: a usage error (string) when neither reads. */
function readRules(inline: string | undefined, file: string | undefined): { rules?: unknown } | string {
  if (inline !== undefined && file !== undefined) return 'give --rules or --rules-file, not both';
  if (inline === undefined && file === undefined) return {};
  let text = inline;
  if (file !== undefined) {
    try {
      if (statSync(file).size > MAX_RULES_FILE_BYTES) return `--rules-file ${file} is larger than ${MAX_RULES_FILE_BYTES} bytes`;
      text = readFileSync(file, 'utf8');
    } catch (error) {
      return `cannot read --rules-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
  try {
    return { rules: JSON.parse(text!) as unknown };
  } catch (error) {
    return `${file !== undefined ? `--rules-file ${file}` : '--rules'} is not valid JSON: ${(error as Error).message}`;
  }
}

function requirePolicy(p: PolicyDocument | undefined, id: string): PolicyDocument {
  if (!p) throw new DomainError('unknown-policy', `there is no compliance policy ${id}`);
  return p;
}

export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'Define, change, retire and list compliance policies.',
  help: policyHelp,
  async run(args) {
    const options = parseOptions(args, {
      json: { type: 'boolean' }, name: { type: 'string' }, description: { type: 'string' },
      rules: { type: 'string' }, 'rules-file': { type: 'string' },
      group: { type: 'string', multiple: true }, 'all-devices': { type: 'boolean' }, retired: { type: 'boolean' },
    }, true);
    if (!options.ok) return usageError('policy', options.message);
    const v = options.parsed.values;
    const [sub, id, ...extra] = options.parsed.positionals;
    const json = v.json === true;
    if (extra.length > 0) return usageError('policy', `unexpected argument ${JSON.stringify(extra[0])}`);
    const groups = v.group ?? [];
    const scope: PolicyScope | undefined = groups.length > 0 ? { type: 'groups', groups } : undefined;

    const report = async (policies: CompliancePolicies, changed: boolean, done: string, already: string): Promise<number> => {
      if (json) say(`${JSON.stringify({ changed, policy: (await policies.get(id!)) ?? null })}\n`);
      else say(`${changed ? done : already}\n`);
      return 0;
    };

    switch (sub) {
      case 'define': {
        if (id === undefined || v.name === undefined) return usageError('policy', 'usage: mdm policy define ID --name NAME (--rules JSON | --rules-file FILE) [--group G]...');
        if (v['all-devices'] === true) return usageError('policy', '--all-devices is for change; define without --group concerns every enrolled device');
        const rules = readRules(v.rules, v['rules-file']);
        if (typeof rules === 'string') return usageError('policy', rules);
        if (rules.rules === undefined) return usageError('policy', 'define needs --rules JSON or --rules-file FILE');
        return withStore('policy', async (s) => {
          const policies = new CompliancePolicies(s.store, systemClock);
          const changed = await policies.define(id, { name: v.name!, ...(v.description !== undefined ? { description: v.description } : {}), rules: rules.rules, ...(scope ? { scope } : {}) }, s.actor);
          return report(policies, changed, `defined policy ${id}`, `policy ${id} exists already, as asked`);
        });
      }
      case 'change': {
        if (id === undefined) return usageError('policy', 'usage: mdm policy change ID [--name NAME] [--description TEXT] [--rules JSON | --rules-file FILE] [--group G... | --all-devices]');
        if (scope && v['all-devices'] === true) return usageError('policy', 'give --group or --all-devices, not both');
        const rules = readRules(v.rules, v['rules-file']);
        if (typeof rules === 'string') return usageError('policy', rules);
        const changes: PolicyChanges = {
          ...(v.name !== undefined ? { name: v.name } : {}),
          ...(v.description !== undefined ? { description: v.description } : {}),
          ...(rules.rules !== undefined ? { rules: rules.rules } : {}),
          ...(scope ? { scope } : v['all-devices'] === true ? { scope: { type: 'all' } } : {}),
        };
        if (Object.keys(changes).length === 0) return usageError('policy', 'nothing to change: give --name, --description, --rules, --rules-file, --group or --all-devices');
        return withStore('policy', async (s) => {
          const policies = new CompliancePolicies(s.store, systemClock);
          return report(policies, await policies.change(id, changes, s.actor), `changed policy ${id}`, `policy ${id} is like that already`);
        });
      }
      case 'retire':
        if (id === undefined) return usageError('policy', 'usage: mdm policy retire ID');
        return withStore('policy', async (s) => {
          const policies = new CompliancePolicies(s.store, systemClock);
          return report(policies, await policies.retire(id, s.actor), `retired policy ${id}`, `policy ${id} was retired already`);
        });
      case 'list':
        if (id !== undefined) return usageError('policy', 'usage: mdm policy list [--retired] [--json]');
        return withStore('policy', async (s) => {
          const policies = await new CompliancePolicies(s.store, systemClock).list({ includeRetired: v.retired === true });
          if (json) say(`${JSON.stringify(policies)}\n`);
          else if (policies.length === 0) say('no compliance policies (define one with: mdm policy define ID --name NAME --rules JSON)\n');
          else {
            say(table(
              ['ID', 'STATUS', 'RULES', 'REVISION', 'SINCE', 'SCOPE', 'NAME'],
              policies.map((p) => [p.policyId, p.retired ? 'retired' : 'in force', String(p.rules.length), String(p.revision), p.effectiveSince, describeScope(p.scope), printable(p.name)]),
            ));
          }
          return 0;
        });
      case 'show':
        if (id === undefined) return usageError('policy', 'usage: mdm policy show ID');
        return withStore('policy', async (s) => {
          const policy = requirePolicy(await new CompliancePolicies(s.store, systemClock).get(id), id);
          say(json ? `${JSON.stringify(policy)}\n` : describe(policy));
          return 0;
        });
      default:
        return usageError('policy', sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${JSON.stringify(sub)}`);
    }
  },
};
