import type { ComplianceRuleType } from '../domain/compliance-policy/rules.js';
import { scopeIncludes } from '../domain/compliance-policy/scope.js';
import { checkRule, latest } from './compliance-rule-checks.js';
import type { PolicyDocument } from './compliance-policies.js';
import type { EnrollmentState, InventoryDocument } from './inventory-document.js';

/**
 * Compliance is worked out when asked, from the stored inventory and policy documents and the time
 * of asking: rules such as "seen within 7 days" change their answer with time alone, which a
 * projection (a function of events only) cannot follow. See docs/compliance.md.
 */

export type ComplianceStatus = 'compliant' | 'non-compliant' | 'unknown';

/** A device no policy in force concerns (not enrolled, or outside every policy's scope). */
export type DeviceComplianceStatus = ComplianceStatus | 'not-applicable';

export interface ComplianceReason {
  readonly rule: ComplianceRuleType;
  /** `unknown`: the device has not reported what the rule needs. */
  readonly status: 'non-compliant' | 'unknown';
  readonly message: string;
  /** For a failing rule: when it started failing (never before the policy took effect). */
  readonly since?: string;
}

export interface PolicyCompliance {
  readonly policyId: string;
  readonly status: ComplianceStatus;
  /** When non-compliant: the earliest `since` among its failing reasons. */
  readonly since?: string;
  /** Failing rules, then rules the device has not reported for; empty when compliant. */
  readonly reasons: readonly ComplianceReason[];
}

export interface DeviceCompliance {
  readonly status: DeviceComplianceStatus;
  /**
   * When non-compliant: the earliest `since` among its current failing reasons, i.e. since when the
   * device has been failing for the reasons it fails now (an earlier failure that has been fixed
   * since is not remembered).
   */
  readonly since?: string;
  /** The policies in force whose scope takes in the device, in the order given. */
  readonly policies: readonly PolicyCompliance[];
}

/** Devices that left or were turned away are not held to any policy. */
const OUT_OF_SCOPE: ReadonlySet<EnrollmentState> = new Set<EnrollmentState>(['checked-out', 'rejected']);

export const policyApplies = (policy: PolicyDocument, device: InventoryDocument): boolean =>
  !policy.retired && !OUT_OF_SCOPE.has(device.enrollmentState) && scopeIncludes(policy.scope, device.groups, device.enrollmentGroup);

const iso = (time: number): string | undefined => (Number.isNaN(time) ? undefined : new Date(time).toISOString());

const earliest = (times: readonly (string | undefined)[]): string | undefined =>
  times.filter((t): t is string => t !== undefined).reduce<string | undefined>((a, b) => (a === undefined || Date.parse(b) < Date.parse(a) ? b : a), undefined);

const withSince = (since: string | undefined): { since?: string } => (since === undefined ? {} : { since });

const combined = (statuses: readonly ComplianceStatus[]): ComplianceStatus =>
  statuses.includes('non-compliant') ? 'non-compliant' : statuses.includes('unknown') ? 'unknown' : 'compliant';

function evaluatePolicy(policy: PolicyDocument, device: InventoryDocument, now: number): PolicyCompliance {
  const effective = Date.parse(policy.effectiveSince);
  const reasons: ComplianceReason[] = [];
  for (const rule of policy.rules) {
    for (const finding of checkRule(rule, device, now)) {
      reasons.push(finding.status === 'non-compliant'
        ? { rule: rule.type, status: 'non-compliant', message: finding.message, ...withSince(iso(latest(finding.since, effective))) }
        : { rule: rule.type, status: 'unknown', message: finding.message });
    }
  }
  // Failing reasons first: they are what needs fixing.
  reasons.sort((a, b) => (a.status === b.status ? 0 : a.status === 'non-compliant' ? -1 : 1));
  const status = combined(reasons.map((r) => r.status));
  return { policyId: policy.policyId, status, ...(status === 'non-compliant' ? withSince(earliest(reasons.map((r) => r.since))) : {}), reasons };
}

/** How a device stands against the policies at `now`. Retired policies and policies out of scope are skipped. */
export function evaluateCompliance(device: InventoryDocument, policies: readonly PolicyDocument[], now: Date): DeviceCompliance {
  const at = now.getTime();
  if (Number.isNaN(at)) throw new TypeError('evaluateCompliance needs a valid time');
  const results = policies.filter((p) => policyApplies(p, device)).map((p) => evaluatePolicy(p, device, at));
  if (results.length === 0) return { status: 'not-applicable', policies: [] };
  const status = combined(results.map((r) => r.status));
  return { status, ...(status === 'non-compliant' ? withSince(earliest(results.map((r) => r.since))) : {}), policies: results };
}

export interface ComplianceCounts {
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly unknown: number;
  readonly notApplicable: number;
}

export interface PolicySummary extends ComplianceCounts {
  readonly policyId: string;
  readonly name: string;
}

export interface ComplianceSummary {
  /** Every evaluated device once, by its overall status. */
  readonly devices: ComplianceCounts & { readonly total: number };
  /** Each policy in force: how the evaluated devices stand against it (not applicable: outside its scope). */
  readonly policies: readonly PolicySummary[];
}

type MutableCounts = { -readonly [K in keyof ComplianceCounts]: ComplianceCounts[K] };

const zero = (): MutableCounts => ({ compliant: 0, nonCompliant: 0, unknown: 0, notApplicable: 0 });

function count(counts: MutableCounts, status: DeviceComplianceStatus): void {
  if (status === 'compliant') counts.compliant++;
  else if (status === 'non-compliant') counts.nonCompliant++;
  else if (status === 'unknown') counts.unknown++;
  else counts.notApplicable++;
}

/** Counts over evaluations made with `evaluateCompliance` against the same policies. */
export function summarizeCompliance(evaluations: readonly DeviceCompliance[], policies: readonly PolicyDocument[]): ComplianceSummary {
  const inForce = policies.filter((p) => !p.retired);
  const devices = zero();
  const perPolicy = new Map(inForce.map((p) => [p.policyId, zero()]));
  for (const evaluation of evaluations) {
    count(devices, evaluation.status);
    const byPolicy = new Map(evaluation.policies.map((p) => [p.policyId, p.status]));
    for (const [policyId, counts] of perPolicy) count(counts, byPolicy.get(policyId) ?? 'not-applicable');
  }
  return {
    devices: { ...devices, total: evaluations.length },
    policies: inForce.map((p) => ({ policyId: p.policyId, name: p.name, ...perPolicy.get(p.policyId)! })),
  };
}
