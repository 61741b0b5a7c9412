import { DomainError } from '../shared/domain-error.js';

/**
 * What a compliance policy asks of a device, one rule per kind. Rules are stored in the form
 * `parseRules` returns (defaults filled in, fields in one order), so two policies asking the same
 * thing compare equal.
 */
export type ComplianceRule =
  | { readonly type: 'passcode-required' }
  /**
   * Apple's HardwareEncryptionCaps bits that must all be set (1 block-level, 2 file-level, 3 both);
   * on a Mac, FileVault must be on instead.
   */
  | { readonly type: 'hardware-encryption'; readonly caps: 1 | 2 | 3 }
  /** "17", "17.4" or "17.4.1". */
  | { readonly type: 'minimum-os-version'; readonly version: string }
  /** Configuration profiles, by PayloadIdentifier, that must be installed. */
  | { readonly type: 'required-profiles'; readonly identifiers: readonly string[] }
  | { readonly type: 'forbidden-profiles'; readonly identifiers: readonly string[] }
  /** Apps, by bundle identifier, that must be installed. */
  | { readonly type: 'required-apps'; readonly identifiers: readonly string[] }
  | { readonly type: 'maximum-days-since-seen'; readonly days: number }
  /** Fails when a certificate on the device expires within this many days (0: has expired). */
  | { readonly type: 'certificates-expiring'; readonly withinDays: number }
  /** Which kinds of roaming must be off. */
  | { readonly type: 'roaming-off'; readonly data: boolean; readonly voice: boolean };

export type ComplianceRuleType = ComplianceRule['type'];

export const RULE_TYPES: readonly ComplianceRuleType[] = [
  'passcode-required', 'hardware-encryption', 'minimum-os-version', 'required-profiles', 'forbidden-profiles',
  'required-apps', 'maximum-days-since-seen', 'certificates-expiring', 'roaming-off',
];

export const MAX_IDENTIFIERS = 100;
export const MAX_DAYS = 3650;
const MAX_IDENTIFIER_LENGTH = 255;
const OS_VERSION = /^\d{1,5}(\.\d{1,5}){0,2}$/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

type Fields = Record<string, unknown>;

/** Reads one rule's fields, refusing any it does not know. */
class RuleReader {
  constructor(
    private readonly fields: Fields,
    private readonly label: string,
  ) {}

  fail(message: string): never {
    throw new DomainError('invalid-rule', `${this.label}: ${message}`);
  }

  only(...allowed: string[]): void {
    const extra = Object.keys(this.fields).filter((k) => k !== 'type' && !allowed.includes(k));
    if (extra.length > 0) this.fail(`unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}${allowed.length > 0 ? ` (it takes ${allowed.join(', ')})` : ' (it takes none)'}`);
  }

  integer(name: string, min: number, max: number, fallback?: number): number {
    const value = this.fields[name] ?? fallback;
    if (value === undefined) this.fail(`${name} is required`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.fields[name];
    if (value !== undefined && typeof value !== 'boolean') this.fail(`${name} must be true or false`);
    return value;
  }

  identifiers(what: string): string[] {
    const value = this.fields['identifiers'];
    if (!Array.isArray(value) || value.length === 0) this.fail(`identifiers must be a list of one or more ${what} identifiers`);
    if (value.length > MAX_IDENTIFIERS) this.fail(`at most ${MAX_IDENTIFIERS} identifiers`);
    const seen = new Set<string>();
    for (const id of value) {
      if (typeof id !== 'string' || id.length === 0 || id.length > MAX_IDENTIFIER_LENGTH || CONTROL_OR_SPACE.test(id)) {
        this.fail(`${JSON.stringify(id)} is not a valid ${what} identifier (1-${MAX_IDENTIFIER_LENGTH} characters, no spaces)`);
      }
      if (seen.has(id)) this.fail(`${id} is listed twice`);
      seen.add(id);
    }
    return [...seen];
  }
}

function parseRule(input: unknown, index: number): ComplianceRule {
  const position = `rule ${index + 1}`;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new DomainError('invalid-rule', `${position}: a rule is an object with a "type"`);
  const fields = input as Fields;
  const type = fields['type'];
  if (typeof type !== 'string' || !(RULE_TYPES as readonly string[]).includes(type)) {
    throw new DomainError('invalid-rule', `${position}: unknown rule type ${JSON.stringify(type)} (one of ${RULE_TYPES.join(', ')})`);
  }
  const r: RuleReader = new RuleReader(fields, `${position} (${type})`);
  switch (type as ComplianceRuleType) {
    case 'passcode-required':
      r.only();
      return { type: 'passcode-required' };
    case 'hardware-encryption':
      r.only('caps');
      return { type: 'hardware-encryption', caps: r.integer('caps', 1, 3, 3) as 1 | 2 | 3 };
    case 'minimum-os-version': {
      r.only('version');
      const version = fields['version'];
      if (typeof version !== 'string' || !OS_VERSION.test(version)) r.fail('version must be like "17", "17.4" or "17.4.1"');
      return { type: 'minimum-os-version', version };
    }
    case 'required-profiles':
      r.only('identifiers');
      return { type: 'required-profiles', identifiers: r.identifiers('profile') };
    case 'forbidden-profiles':
      r.only('identifiers');
      return { type: 'forbidden-profiles', identifiers: r.identifiers('profile') };
    case 'required-apps':
      r.only('identifiers');
      return { type: 'required-apps', identifiers: r.identifiers('app') };
    case 'maximum-days-since-seen':
      r.only('days');
      return { type: 'maximum-days-since-seen', days: r.integer('days', 1, MAX_DAYS) };
    case 'certificates-expiring':
      r.only('withinDays');
      return { type: 'certificates-expiring', withinDays: r.integer('withinDays', 0, MAX_DAYS) };
    case 'roaming-off': {
      r.only('data', 'voice');
      const data = r.optionalBoolean('data');
      const voice = r.optionalBoolean('voice');
      // Saying nothing means roaming off altogether; naming one kind checks only the kinds set true.
      if (data === undefined && voice === undefined) return { type: 'roaming-off', data: true, voice: true };
      if (data !== true && voice !== true) r.fail('at least one of data and voice must be true');
      return { type: 'roaming-off', data: data === true, voice: voice === true };
    }
  }
}

/**
 * Checks the rules of a policy as people write them (JSON) and returns them in their stored form.
 * One rule per type: two rules of one kind would only contradict or repeat each other.
 */
export function parseRules(input: unknown): ComplianceRule[] {
  if (!Array.isArray(input)) throw new DomainError('invalid-rule', 'rules must be a list (a JSON array) of rule objects');
  if (input.length === 0) throw new DomainError('invalid-rule', 'a policy needs at least one rule');
  if (input.length > RULE_TYPES.length) throw new DomainError('invalid-rule', `a policy has at most ${RULE_TYPES.length} rules, one of each type`);
  const rules = input.map(parseRule);
  const types = rules.map((r) => r.type);
  const twice = types.find((t, i) => types.indexOf(t) !== i);
  if (twice !== undefined) throw new DomainError('invalid-rule', `rule type ${twice} appears twice (merge them into one rule)`);
  return rules;
}
