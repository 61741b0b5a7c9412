import { expect } from 'chai';
import { CompliancePolicies } from '../../application/compliance/compliance-policies.js';
import type { Clock } from '../../application/ports/clock.js';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';

describe('compliance policies service', () => {
  let store: SqliteEventStore;
  let time = Date.parse('2026-05-01T00:00:00.000Z');
  const clock: Clock = { now: () => new Date((time += 60_000)) };
  const actor = { kind: 'admin' as const, id: 'alice' };

  eachSqliteStore((s) => {
    store = s;
  });

  it('records who changed what, on the policy stream, and folds it back as the read model does', async () => {
    const policies = new CompliancePolicies(store, clock);
    expect(await policies.define('baseline', { name: 'Baseline', rules: [{ type: 'passcode-required' }] }, actor)).to.equal(true);
    expect(await policies.define('baseline', { name: 'Baseline', rules: [{ type: 'passcode-required' }] }, actor), 'the same again').to.equal(false);
    expect(await policies.change('baseline', { scope: { type: 'groups', groups: ['sales'] } }, actor)).to.equal(true);
    const events = await store.readStream('policy-baseline');
    expect(events.map((e) => e.type)).to.deep.equal(['CompliancePolicyDefined', 'CompliancePolicyChanged']);
    expect(events[1]!.metadata.actor).to.deep.equal(actor);
    expect(events[1]!.data).to.deep.include({ changedBy: 'admin:alice', revision: 2, scope: { type: 'groups', groups: ['sales'] } });
    const policy = await policies.get('baseline');
    expect(policy).to.deep.include({ revision: 2, effectiveSince: events[1]!.metadata.occurredAt, definedAt: events[0]!.metadata.occurredAt });
  });

  it('lists policies from every stream of the store, skipping others and, unless asked, retired ones', async () => {
    const policies = new CompliancePolicies(store, clock);
    await new DeviceGroups(store, clock).create('sales', {}, actor);
    await policies.define('zeta', { name: 'Z', rules: [{ type: 'roaming-off' }] }, actor);
    await policies.define('alpha', { name: 'A', rules: [{ type: 'maximum-days-since-seen', days: 3 }] }, actor);
    await policies.retire('zeta', actor);
    expect((await policies.list()).map((p) => p.policyId)).to.deep.equal(['alpha']);
    expect((await policies.list({ includeRetired: true })).map((p) => [p.policyId, p.retired])).to.deep.equal([['alpha', false], ['zeta', true]]);
    expect(await policies.get('nosuch')).to.equal(undefined);
    expect(await policies.get('Not/An/Id')).to.equal(undefined);
  });

  it('refuses an invalid id before touching the store', async () => {
    const policies = new CompliancePolicies(store, clock);
    let caught: unknown;
    try {
      await policies.define('../x', { name: 'X', rules: [{ type: 'passcode-required' }] }, actor);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(DomainError);
    expect((caught as DomainError).code).to.equal('invalid-policy-id');
    expect(await store.readAll()).to.deep.equal([]);
  });
});
