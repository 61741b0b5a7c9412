import type { RecordedEvent } from '../application/ports/event-store.js';
import { canonicalJson } from '../domain/commands/results/canonical.js';
import { COMPLIANCE_POLICY_EVENT_TYPES, type CompliancePolicyEvent, type ComplianceRule, type PolicyScope } from '../domain/compliance-policy/compliance-policy.js';
import { POLICY_STREAM_PREFIX } from '../domain/compliance-policy/policy-id.js';
import type { JsonValue } from '../domain/shared/json.js';
import type { Projection } from './projection.js';

/**
 * One compliance policy as the evaluator and the admin API read it (collection
 * `compliance-policies`, id = policy id).
 *
 * Retired policies are kept, with `retired: true` and `retiredAt`, so that the API can still show
 * what a retired policy asked; the evaluator skips them itself, and queries for the policies in
 * force filter on `retired: false`.
 */
export interface PolicyDocument {
  readonly policyId: string;
  readonly name: string;
  readonly description?: string;
  readonly rules: readonly ComplianceRule[];
  readonly scope: PolicyScope;
  /** 1 at the definition, one more at each change. */
  readonly revision: number;
  readonly definedAt: string;
  readonly definedBy: string;
  /**
   * When the current rules and scope took effect: the definition, or the last change of rules or
   * scope (renaming a policy does not move it). A device fails a rule at the earliest from then.
   */
  readonly effectiveSince: string;
  readonly updatedAt: string;
  readonly retired: boolean;
  readonly retiredAt?: string;
}

const sameTerms = (doc: PolicyDocument, rules: readonly ComplianceRule[], scope: PolicyScope): boolean =>
  canonicalJson({ rules, scope } as unknown as JsonValue) === canonicalJson({ rules: doc.rules, scope: doc.scope } as unknown as JsonValue);

function apply(current: PolicyDocument | undefined, recorded: RecordedEvent): PolicyDocument | null {
  const e = { type: recorded.type, data: recorded.data } as CompliancePolicyEvent;
  switch (e.type) {
    case 'CompliancePolicyDefined': {
      const d = e.data;
      return {
        policyId: d.policyId, name: d.name, ...(d.description ? { description: d.description } : {}), rules: d.rules, scope: d.scope,
        revision: 1, definedAt: d.definedAt, definedBy: d.definedBy, effectiveSince: d.definedAt, updatedAt: d.definedAt, retired: false,
      };
    }
    case 'CompliancePolicyChanged': {
      // A change whose definition is not in the store says too little to evaluate anything.
      if (!current) return null;
      const d = e.data;
      const { description: _, ...rest } = current;
      return {
        ...rest, name: d.name, ...(d.description ? { description: d.description } : {}), rules: d.rules, scope: d.scope, revision: d.revision,
        effectiveSince: sameTerms(current, d.rules, d.scope) ? current.effectiveSince : d.changedAt, updatedAt: d.changedAt,
      };
    }
    case 'CompliancePolicyRetired':
      return current ? { ...current, retired: true, retiredAt: e.data.retiredAt, updatedAt: e.data.retiredAt } : null;
    default:
      return current ?? null;
  }
}

export const compliancePolicyProjection: Projection<PolicyDocument> = {
  name: 'compliance-policies',
  version: 1,
  handles: COMPLIANCE_POLICY_EVENT_TYPES,
  indexes: [{ name: 'retired-name', fields: [{ path: 'retired', direction: 'asc' }, { path: 'name', direction: 'asc' }] }],
  documentId(event) {
    if (!event.streamId.startsWith(POLICY_STREAM_PREFIX)) return undefined;
    const policyId = (event.data as { policyId?: unknown } | null)?.policyId;
    return typeof policyId === 'string' ? policyId : undefined;
  },
  apply: (current, event) => apply(current, event),
};

/** The policies these events leave, by id: for readers that fold the streams themselves. */
export function foldPolicyDocuments(events: Iterable<RecordedEvent>): Map<string, PolicyDocument> {
  const docs = new Map<string, PolicyDocument>();
  for (const event of events) {
    if (!compliancePolicyProjection.handles.has(event.type)) continue;
    const id = compliancePolicyProjection.documentId(event);
    if (id === undefined) continue;
    const next = compliancePolicyProjection.apply(docs.get(id), event);
    if (next === null) docs.delete(id);
    else docs.set(id, next);
  }
  return docs;
}

/** The policy documents a device is evaluated against: those not retired. */
export const policiesInForce = (policies: readonly PolicyDocument[]): PolicyDocument[] => policies.filter((p) => !p.retired);
