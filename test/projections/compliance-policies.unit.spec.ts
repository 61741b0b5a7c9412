import { expect } from 'chai';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { compliancePolicyProjection, foldPolicyDocuments, policiesInForce } from '../../projections/compliance-policies.js';

let position = 0;
function recorded(streamId: string, type: string, data: Record<string, unknown>, at: string): RecordedEvent {
  position++;
  return { streamId, revision: 0, position, eventId: `e${position}`, type, data, metadata: { prevHash: '', hash: '', occurredAt: at }, recordedAt: at };
}

const T1 = '2026-03-01T00:00:00.000Z';
const T2 = '2026-03-05T00:00:00.000Z';
const T3 = '2026-03-09T00:00:00.000Z';
const T4 = '2026-03-12T00:00:00.000Z';
const rules = [{ type: 'passcode-required' }];
const all = { type: 'all' };
const definedEvent = recorded('policy-baseline', 'CompliancePolicyDefined', { policyId: 'baseline', name: 'Baseline', description: 'Every device', rules, scope: all, definedBy: 'admin:alice', definedAt: T1 }, T1);

describe('compliance policies projection', () => {
  it('is keyed by policy id, only for policy streams', () => {
    expect(compliancePolicyProjection.name).to.equal('compliance-policies');
    expect(compliancePolicyProjection.version).to.equal(1);
    expect(compliancePolicyProjection.documentId(definedEvent)).to.equal('baseline');
    expect(compliancePolicyProjection.documentId(recorded('device-group-x', 'CompliancePolicyDefined', { policyId: 'x' }, T1))).to.equal(undefined);
    expect(compliancePolicyProjection.handles.has('DeviceEnrolled')).to.equal(false);
  });

  it('carries name, rules, scope and revision; effectiveSince moves only with rules or scope', () => {
    const renamed = recorded('policy-baseline', 'CompliancePolicyChanged', { policyId: 'baseline', name: 'Renamed', rules, scope: all, changedBy: 'admin:bob', changedAt: T2, revision: 2 }, T2);
    const docs = foldPolicyDocuments([definedEvent, renamed]);
    expect(docs.get('baseline')).to.deep.equal({
      policyId: 'baseline', name: 'Renamed', rules, scope: all, revision: 2, definedAt: T1, definedBy: 'admin:alice', effectiveSince: T1, updatedAt: T2, retired: false,
    });
    const newRules = [{ type: 'minimum-os-version', version: '17.0' }];
    const rescoped = recorded('policy-baseline', 'CompliancePolicyChanged', { policyId: 'baseline', name: 'Renamed', rules, scope: { type: 'groups', groups: ['sales'] }, changedBy: 'admin:bob', changedAt: T3, revision: 3 }, T3);
    expect(foldPolicyDocuments([definedEvent, renamed, rescoped]).get('baseline')).to.deep.include({ effectiveSince: T3, revision: 3, scope: { type: 'groups', groups: ['sales'] } });
    const reruled = recorded('policy-baseline', 'CompliancePolicyChanged', { policyId: 'baseline', name: 'Renamed', rules: newRules, scope: all, changedBy: 'admin:bob', changedAt: T4, revision: 3 }, T4);
    expect(foldPolicyDocuments([definedEvent, renamed, reruled]).get('baseline')).to.deep.include({ effectiveSince: T4, rules: newRules });
  });

  it('keeps a retired policy, marked, and leaves it out of the policies in force', () => {
    const docs = foldPolicyDocuments([definedEvent, recorded('policy-baseline', 'CompliancePolicyRetired', { policyId: 'baseline', retiredBy: 'admin:alice', retiredAt: T2 }, T2)]);
    expect(docs.get('baseline')).to.deep.include({ retired: true, retiredAt: T2, updatedAt: T2, effectiveSince: T1 });
    expect(policiesInForce([...docs.values()])).to.deep.equal([]);
  });

  it('ignores a change or retirement whose definition is missing', () => {
    expect(foldPolicyDocuments([recorded('policy-ghost', 'CompliancePolicyChanged', { policyId: 'ghost', name: 'G', rules, scope: all, changedBy: 'a', changedAt: T2, revision: 2 }, T2)]).size).to.equal(0);
    expect(foldPolicyDocuments([recorded('policy-ghost', 'CompliancePolicyRetired', { policyId: 'ghost', retiredBy: 'a', retiredAt: T2 }, T2)]).size).to.equal(0);
  });
});
