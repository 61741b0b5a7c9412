import { expect } from 'chai';
import { compliancePolicyDecider, type CompliancePolicyCommand, type CompliancePolicyEvent } from '../../domain/compliance-policy/compliance-policy.js';
import { compliancePolicyStreamId, isPolicyId } from '../../domain/compliance-policy/policy-id.js';
import { fold } from '../../domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-02-01T00:00:00.000Z';
const BY = 'admin:alice';
const spec = deciderSpec(compliancePolicyDecider);

const define = (over: Partial<Extract<CompliancePolicyCommand, { type: 'DefineCompliancePolicy' }>> = {}): CompliancePolicyCommand => ({
  type: 'DefineCompliancePolicy', policyId: 'baseline', name: 'Baseline', rules: [{ type: 'passcode-required' }], scope: { type: 'all' }, by: BY, at: AT, ...over,
});
const change = (over: Partial<Extract<CompliancePolicyCommand, { type: 'ChangeCompliancePolicy' }>>): CompliancePolicyCommand => ({ type: 'ChangeCompliancePolicy', policyId: 'baseline', by: BY, at: LATER, ...over });
const retire: CompliancePolicyCommand = { type: 'RetireCompliancePolicy', policyId: 'baseline', by: BY, at: LATER };

const defined: CompliancePolicyEvent = {
  type: 'CompliancePolicyDefined',
  data: { policyId: 'baseline', name: 'Baseline', rules: [{ type: 'passcode-required' }], scope: { type: 'all' }, definedBy: BY, definedAt: AT },
};
const retired: CompliancePolicyEvent = { type: 'CompliancePolicyRetired', data: { policyId: 'baseline', retiredBy: BY, retiredAt: LATER } };

describe('compliance policy decider', () => {
  it('defines a policy with its rules in their stored form', () => {
    spec.given([]).when(define()).then([defined]);
    spec.given([]).when(define({ description: 'Every device', rules: [{ type: 'hardware-encryption' }, { type: 'roaming-off' }], scope: { type: 'groups', groups: ['sales', 'dev'] } })).then([{
      type: 'CompliancePolicyDefined',
      data: {
        policyId: 'baseline', name: 'Baseline', description: 'Every device',
        rules: [{ type: 'hardware-encryption', caps: 3 }, { type: 'roaming-off', data: true, voice: true }],
        scope: { type: 'groups', groups: ['dev', 'sales'] }, definedBy: BY, definedAt: AT,
      },
    }]);
  });

  it('defining it again as it is changes nothing; with other content it clashes', () => {
    spec.given([defined]).when(define({ at: LATER, by: 'admin:bob' })).thenNothing();
    spec.given([defined]).when(define({ name: 'Other' })).thenThrows('policy-exists');
    spec.given([defined]).when(define({ rules: [{ type: 'passcode-required' }, { type: 'maximum-days-since-seen', days: 7 }] })).thenThrows('policy-exists');
  });

  it('refuses bad ids, names, descriptions, rules and scopes with their own codes', () => {
    for (const policyId of ['', 'Baseline', 'base line', '-x', 'a'.repeat(64), 'base.line', 'x_y']) spec.given([]).when(define({ policyId })).thenThrows('invalid-policy-id');
    for (const name of ['', '   ', 'two\nlines', 'n'.repeat(101)]) spec.given([]).when(define({ name })).thenThrows('invalid-policy-name');
    spec.given([]).when(define({ description: 'tab\there' })).thenThrows('invalid-description');
    spec.given([]).when(define({ rules: [] })).thenThrows('invalid-rule');
    spec.given([]).when(define({ scope: { type: 'groups', groups: [] } })).thenThrows('invalid-scope');
  });

  it('changes what is given, keeps the rest, counts revisions, and appends nothing for identical content', () => {
    spec.given([defined]).when(change({ rules: [{ type: 'minimum-os-version', version: '17.4' }] })).then([{
      type: 'CompliancePolicyChanged',
      data: { policyId: 'baseline', name: 'Baseline', rules: [{ type: 'minimum-os-version', version: '17.4' }], scope: { type: 'all' }, changedBy: BY, changedAt: LATER, revision: 2 },
    }]);
    const second: CompliancePolicyEvent = { type: 'CompliancePolicyChanged', data: { policyId: 'baseline', name: 'New', rules: [{ type: 'passcode-required' }], scope: { type: 'all' }, changedBy: BY, changedAt: LATER, revision: 2 } };
    spec.given([defined, second]).when(change({ scope: { type: 'groups', groups: ['sales'] }, description: 'Sales' })).then([{
      type: 'CompliancePolicyChanged',
      data: { policyId: 'baseline', name: 'New', description: 'Sales', rules: [{ type: 'passcode-required' }], scope: { type: 'groups', groups: ['sales'] }, changedBy: BY, changedAt: LATER, revision: 3 },
    }]);
    spec.given([defined]).when(change({ name: 'Baseline', rules: [{ type: 'passcode-required' }], scope: { type: 'all' } })).thenNothing();
    spec.given([defined]).when(change({})).thenNothing();
  });

  it('an empty description removes it', () => {
    const described = fold(compliancePolicyDecider, compliancePolicyDecider.decide(define({ description: 'Old' }), compliancePolicyDecider.initialState()));
    const [event] = compliancePolicyDecider.decide(change({ description: '' }), described);
    expect(event!.type).to.equal('CompliancePolicyChanged');
    expect(event!.data).to.not.have.property('description');
  });

  it('changes and retirement need an existing policy; retiring is final', () => {
    spec.given([]).when(change({ name: 'X' })).thenThrows('unknown-policy');
    spec.given([]).when(retire).thenThrows('unknown-policy');
    spec.given([defined]).when(retire).then([retired]);
    spec.given([defined, retired]).when(retire).thenNothing();
    spec.given([defined, retired]).when(change({ name: 'X' })).thenThrows('policy-retired');
    spec.given([defined, retired]).when(define()).thenThrows('policy-retired');
  });

  it('folds to the current content and revision', () => {
    const state = fold(compliancePolicyDecider, [defined, { type: 'CompliancePolicyChanged', data: { policyId: 'baseline', name: 'B2', rules: [{ type: 'passcode-required' }], scope: { type: 'all' }, changedBy: BY, changedAt: LATER, revision: 2 } }]);
    expect(state).to.deep.equal({ status: 'active', revision: 2, content: { name: 'B2', rules: [{ type: 'passcode-required' }], scope: { type: 'all' } } });
  });

  it('names streams policy-<id>', () => {
    expect(compliancePolicyStreamId('baseline')).to.equal('policy-baseline');
    expect(isPolicyId('ios-17')).to.equal(true);
    expect(isPolicyId('0')).to.equal(true);
  });
});
