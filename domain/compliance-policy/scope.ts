import { isGroupName } from '../device-group/group-names.js';
import { DomainError } from '../shared/domain-error.js';

/**
 * Which devices a policy concerns: every enrolled device, or the devices of some groups (a device
 * belongs to a group when it is a member of the device group or enrolled naming it).
 */
export type PolicyScope =
  | { readonly type: 'all' }
  /** Sorted, without duplicates. */
  | { readonly type: 'groups'; readonly groups: readonly string[] };

export const MAX_SCOPE_GROUPS = 100;

const invalid = (message: string) => new DomainError('invalid-scope', message);

/** Checks a scope as people write it and returns it in its one stored form. */
export function parseScope(input: unknown): PolicyScope {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid('a scope is {"type":"all"} or {"type":"groups","groups":[...]}');
  const fields = input as Record<string, unknown>;
  if (fields['type'] === 'all') {
    const extra = Object.keys(fields).filter((k) => k !== 'type');
    if (extra.length > 0) throw invalid(`scope "all" takes no other field (got ${extra.map((k) => JSON.stringify(k)).join(', ')})`);
    return { type: 'all' };
  }
  if (fields['type'] !== 'groups') throw invalid('a scope type is "all" or "groups"');
  const extra = Object.keys(fields).filter((k) => k !== 'type' && k !== 'groups');
  if (extra.length > 0) throw invalid(`scope "groups" takes only "groups" (got ${extra.map((k) => JSON.stringify(k)).join(', ')})`);
  const groups = fields['groups'];
  if (!Array.isArray(groups) || groups.length === 0) throw invalid('a scope by groups names at least one group');
  if (groups.length > MAX_SCOPE_GROUPS) throw invalid(`a scope names at most ${MAX_SCOPE_GROUPS} groups`);
  for (const g of groups) {
    if (!isGroupName(g)) throw invalid(`${JSON.stringify(g)} is not a group name (1-63 lower-case letters, digits, ".", "_" or "-")`);
  }
  const sorted = [...(groups as string[])].sort();
  const twice = sorted.find((g, i) => i > 0 && sorted[i - 1] === g);
  if (twice !== undefined) throw invalid(`group ${twice} is named twice`);
  return { type: 'groups', groups: sorted };
}

/** Whether a device with these group memberships (and the group it enrolled into) is in scope. */
export function scopeIncludes(scope: PolicyScope, groups: readonly string[], enrollmentGroup: string | undefined): boolean {
  if (scope.type === 'all') return true;
  return scope.groups.some((g) => g === enrollmentGroup || groups.includes(g));
}
