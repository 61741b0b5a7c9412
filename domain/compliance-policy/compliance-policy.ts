import { canonicalJson } from '../commands/results/canonical.js';
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/domain-error.js';
import type { JsonValue } from '../shared/json.js';
import { requirePolicyId } from './policy-id.js';
import { parseRules, type ComplianceRule } from './rules.js';
import { parseScope, type PolicyScope } from './scope.js';

export type { ComplianceRule, ComplianceRuleType } from './rules.js';
export type { PolicyScope } from './scope.js';

/**
 * A compliance policy: named rules a device must meet and the devices they concern. Stream
 * `policy-<id>`. Rules and scope arrive as people wrote them and are validated here. Retiring is
 * final: the id stays taken, so the history of a policy never mixes two different policies.
 */
export type CompliancePolicyCommand =
  | {
      readonly type: 'DefineCompliancePolicy';
      readonly policyId: string;
      readonly name: string;
      readonly description?: string;
      readonly rules: unknown;
      readonly scope: unknown;
      readonly by: string;
      readonly at: string;
    }
  /** Fields left out keep their current value; an empty description removes it. */
  | {
      readonly type: 'ChangeCompliancePolicy';
      readonly policyId: string;
      readonly name?: string;
      readonly description?: string;
      readonly rules?: unknown;
      readonly scope?: unknown;
      readonly by: string;
      readonly at: string;
    }
  | { readonly type: 'RetireCompliancePolicy'; readonly policyId: string; readonly by: string; readonly at: string };

/** What a policy says; events carry all of it so that readers need no earlier event. */
export interface PolicyContent {
  readonly name: string;
  readonly description?: string;
  readonly rules: readonly ComplianceRule[];
  readonly scope: PolicyScope;
}

export type CompliancePolicyDefined = {
  readonly type: 'CompliancePolicyDefined';
  readonly data: PolicyContent & { readonly policyId: string; readonly definedBy: string; readonly definedAt: string };
};
/** `revision`: 1 was the definition, each change counts one up. */
export type CompliancePolicyChanged = {
  readonly type: 'CompliancePolicyChanged';
  readonly data: PolicyContent & { readonly policyId: string; readonly changedBy: string; readonly changedAt: string; readonly revision: number };
};
export type CompliancePolicyRetired = {
  readonly type: 'CompliancePolicyRetired';
  readonly data: { readonly policyId: string; readonly retiredBy: string; readonly retiredAt: string };
};

export type CompliancePolicyEvent = CompliancePolicyDefined | CompliancePolicyChanged | CompliancePolicyRetired;

export const COMPLIANCE_POLICY_EVENT_TYPES: ReadonlySet<string> = new Set<CompliancePolicyEvent['type']>(['CompliancePolicyDefined', 'CompliancePolicyChanged', 'CompliancePolicyRetired']);

export interface CompliancePolicyState {
  readonly status: 'none' | 'active' | 'retired';
  readonly content?: PolicyContent;
  /** 0 before the definition. */
  readonly revision: number;
}

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 512;
const CONTROL = /[\u0000-\u001f\u007f]/;

const initialState = (): CompliancePolicyState => ({ status: 'none', revision: 0 });

function checkName(name: string): string {
  if (name.trim().length === 0 || name.length > MAX_NAME_LENGTH || CONTROL.test(name)) throw new DomainError('invalid-policy-name', `a policy name is 1-${MAX_NAME_LENGTH} characters on one line`);
  return name;
}

function checkDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION_LENGTH || CONTROL.test(description)) throw new DomainError('invalid-description', `a description is up to ${MAX_DESCRIPTION_LENGTH} characters on one line`);
  return description;
}

function content(name: string, description: string | undefined, rules: readonly ComplianceRule[], scope: PolicyScope): PolicyContent {
  return { name: checkName(name), ...(description ? { description: checkDescription(description) } : {}), rules, scope };
}

const sameContent = (a: PolicyContent, b: PolicyContent): boolean => canonicalJson(a as unknown as JsonValue) === canonicalJson(b as unknown as JsonValue);

function requireActive(s: CompliancePolicyState, policyId: string): PolicyContent {
  if (s.status === 'none') throw new DomainError('unknown-policy', `there is no compliance policy ${policyId}`);
  if (s.status === 'retired') throw new DomainError('policy-retired', `compliance policy ${policyId} is retired`);
  return s.content!;
}

function decide(c: CompliancePolicyCommand, s: CompliancePolicyState): CompliancePolicyEvent[] {
  requirePolicyId(c.policyId);
  switch (c.type) {
    case 'DefineCompliancePolicy': {
      if (c.description !== undefined) checkDescription(c.description);
      const wanted = content(c.name, c.description, parseRules(c.rules), parseScope(c.scope));
      if (s.status === 'retired') throw new DomainError('policy-retired', `compliance policy ${c.policyId} was retired; define the new policy under another id`);
      if (s.status === 'active') {
        // Defining it again as it is changes nothing (a retried script); anything else is a clash.
        if (sameContent(s.content!, wanted)) return [];
        throw new DomainError('policy-exists', `compliance policy ${c.policyId} already exists with other content; change it instead`);
      }
      return [{ type: 'CompliancePolicyDefined', data: { policyId: c.policyId, ...wanted, definedBy: c.by, definedAt: c.at } }];
    }
    case 'ChangeCompliancePolicy': {
      const current = requireActive(s, c.policyId);
      if (c.description !== undefined) checkDescription(c.description);
      const wanted = content(
        c.name ?? current.name,
        c.description ?? current.description,
        c.rules !== undefined ? parseRules(c.rules) : current.rules,
        c.scope !== undefined ? parseScope(c.scope) : current.scope,
      );
      if (sameContent(current, wanted)) return [];
      return [{ type: 'CompliancePolicyChanged', data: { policyId: c.policyId, ...wanted, changedBy: c.by, changedAt: c.at, revision: s.revision + 1 } }];
    }
    case 'RetireCompliancePolicy':
      if (s.status === 'retired') return [];
      requireActive(s, c.policyId);
      return [{ type: 'CompliancePolicyRetired', data: { policyId: c.policyId, retiredBy: c.by, retiredAt: c.at } }];
  }
}

const contentOf = (d: PolicyContent): PolicyContent => ({ name: d.name, ...(d.description ? { description: d.description } : {}), rules: d.rules, scope: d.scope });

function evolve(s: CompliancePolicyState, e: CompliancePolicyEvent): CompliancePolicyState {
  switch (e.type) {
    case 'CompliancePolicyDefined':
      return { status: 'active', content: contentOf(e.data), revision: 1 };
    case 'CompliancePolicyChanged':
      return { status: 'active', content: contentOf(e.data), revision: e.data.revision };
    case 'CompliancePolicyRetired':
      return { ...s, status: 'retired' };
  }
}

export const compliancePolicyDecider: Decider<CompliancePolicyCommand, CompliancePolicyEvent, CompliancePolicyState> = { initialState, decide, evolve };
