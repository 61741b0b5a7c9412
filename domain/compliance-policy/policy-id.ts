import { DomainError } from '../shared/domain-error.js';

/**
 * Policy ids are slugs (`baseline`, `ios-17-minimum`): they name the policy's stream and appear on
 * command lines and in URLs, so nothing there needs quoting.
 */
export const POLICY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const isPolicyId = (value: unknown): value is string => typeof value === 'string' && POLICY_ID.test(value);

export const POLICY_STREAM_PREFIX = 'policy-';

export const compliancePolicyStreamId = (policyId: string): string => `${POLICY_STREAM_PREFIX}${policyId}`;

export function requirePolicyId(policyId: string): void {
  if (!isPolicyId(policyId)) throw new DomainError('invalid-policy-id', 'a policy id is 1-63 lower-case letters, digits and "-", starting with a letter or digit');
}
