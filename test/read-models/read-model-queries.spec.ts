import { expect } from 'chai';
import { DeviceGroups } from '../../application/device-groups/device-groups.js';
import { CompliancePolicies } from '../../application/compliance/compliance-policies.js';
import { InvalidQueryError, type Filter } from '../../application/ports/document-store.js';
import { AuditQueries } from '../../application/read-models/audit-queries.js';
import { CommandHistoryQueries } from '../../application/read-models/command-history-queries.js';
import { ComplianceQueries } from '../../application/read-models/compliance-queries.js';
import { InventoryQueries, type DeviceListQuery } from '../../application/read-models/inventory-queries.js';
import type { ProjectionRunner } from '../../application/read-models/projection-runner.js';
import { ReadModels, ReadModelUnavailableError } from '../../application/read-models/read-models.js';
import { syntheticUdid, writeSyntheticFleet } from '../../bench/support/synthetic-fleet.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { READ_MODEL_PROJECTIONS } from '../../infrastructure/readmodel/read-model-projections.js';
import { auditHistoryProjection, type AuditEntry } from '../../projections/audit-history.js';
import type { CommandRecord } from '../../projections/command-record.js';
import { commandRecordProjection } from '../../projections/command-record.js';
import { evaluateCompliance, summarizeCompliance } from '../../projections/compliance-evaluation.js';
import { compliancePolicyProjection, type PolicyDocument } from '../../projections/compliance-policies.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';
import { osVersionKey } from '../../projections/inventory-document.js';
import { inventoryProjection } from '../../projections/inventory.js';
import type { Projection } from '../../projections/projection.js';
import { allEvents, fixedClock, referenceFold, Stores } from './read-model-fixture.js';

const DAY = 86_400_000;
const admin = { kind: 'admin' as const, id: 'alice' };

async function refused(run: () => Promise<unknown>, pattern?: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'refused').to.be.instanceOf(InvalidQueryError);
  if (pattern) expect((caught as Error).message).to.match(pattern);
}

const byIdAsc = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('read-model queries over a built fleet', function () {
  this.timeout(60_000);
  let stores: Stores;
  let runner: ProjectionRunner;
  let readModels: ReadModels;
  let now: Date;
  let inventory: Map<string, InventoryDocument>;
  let commands: Map<string, CommandRecord>;
  let audit: Map<string, AuditEntry>;
  let policies: PolicyDocument[];

  before(async () => {
    stores = new Stores();
    await writeSyntheticFleet(stores.events, { devices: 30, eventsPerDevice: 80 });
    const policyClock = fixedClock('2026-01-05T07:00:00Z');
    const service = new CompliancePolicies(stores.events, policyClock);
    await service.define('passcode', { name: 'Passcode', rules: [{ type: 'passcode-required' }] }, admin);
    await service.define('recent', { name: 'Recently seen', rules: [{ type: 'maximum-days-since-seen', days: 2 }, { type: 'minimum-os-version', version: '17.6' }], scope: { type: 'groups', groups: ['site-1', 'site-2', 'site-3'] } }, admin);
    await service.define('retired', { name: 'Gone', rules: [{ type: 'roaming-off' }] }, admin);
    await service.retire('retired', admin);
    // Two device groups whose names share text: the group filter must tell them apart.
    const groups = new DeviceGroups(stores.events, policyClock);
    const operator = { kind: 'operator' as const, id: 'bob' };
    await groups.create('sales', {}, operator);
    await groups.create('sales-emea', {}, operator);
    for (const i of [1, 4, 7]) await groups.addDevice('sales', syntheticUdid(i), operator);
    for (const i of [4, 9]) await groups.addDevice('sales-emea', syntheticUdid(i), operator);

    const events = await allEvents(stores.events);
    const docs = <T>(p: Projection<object>) => new Map([...referenceFold(p, events)].map(([id, f]) => [id, f.doc as unknown as T]));
    inventory = docs<InventoryDocument>(inventoryProjection as Projection<object>);
    commands = docs<CommandRecord>(commandRecordProjection as Projection<object>);
    audit = docs<AuditEntry>(auditHistoryProjection as Projection<object>);
    policies = [...docs<PolicyDocument>(compliancePolicyProjection as Projection<object>).values()].filter((p) => !p.retired);
    // A day after the last device was seen: "seen within N days" splits the fleet.
    now = new Date(Math.max(...[...inventory.values()].map((d) => Date.parse(d.lastSeenAt!))) + DAY);

    runner = stores.runner(READ_MODEL_PROJECTIONS, { clock: fixedClock(now.toISOString()) });
    await runner.start();
    expect(await runner.waitFor(events.at(-1)!.position, 20_000)).to.equal(true);
    readModels = new ReadModels(stores.documents, runner);
  });
  after(() => stores.close());

  describe('inventory', () => {
    const queries = () => new InventoryQueries(readModels, fixedClock(now.toISOString()));
    const udidsOf = (docs: Iterable<InventoryDocument>) => [...docs].map((d) => d.udid).sort(byIdAsc);
    async function walk(query: DeviceListQuery, limit: number): Promise<JsonObject[]> {
      const out: JsonObject[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        expect(pages, 'pages').to.be.lessThan(100);
        const page = await queries().list({ ...query, limit, ...(cursor ? { cursor } : {}) });
        expect(page.devices.length).to.be.at.most(limit);
        out.push(...page.devices);
        cursor = page.nextCursor;
        if (!cursor) return out;
      }
    }

    it('lists every device by UDID, each as the fold made it; get() one; unknown ones are absent', async () => {
      const page = await queries().list();
      expect(page.devices.map((d) => d.udid)).to.deep.equal(udidsOf(inventory.values()));
      expect(page.nextCursor).to.equal(undefined);
      for (const doc of page.devices) expect(doc).to.deep.equal(inventory.get(doc.udid as string));
      expect(await queries().get(syntheticUdid(4))).to.deep.equal(inventory.get(syntheticUdid(4)));
      expect(await queries().get('00008110-FFFFFFFFFFFFFFFF')).to.equal(undefined);
    });

    it('filters by time relative to the clock, by OS version and by fields', async () => {
      const all = [...inventory.values()];
      const since = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
      const within = all.filter((d) => d.lastSeenAt! >= since(3));
      expect(within.length, 'the filter splits the fleet').to.be.within(1, all.length - 1);
      expect((await walk({ seenWithinDays: 3 }, 1000)).map((d) => d.udid)).to.deep.equal(udidsOf(within));
      expect((await walk({ notSeenForDays: 3 }, 1000)).map((d) => d.udid)).to.deep.equal(udidsOf(all.filter((d) => d.lastSeenAt! < since(3))));

      const key = osVersionKey('17.6')!;
      const recent = all.filter((d) => d.osVersionKey! >= key);
      expect(recent.length).to.be.within(1, all.length - 1);
      expect((await walk({ minimumOsVersion: '17.6' }, 1000)).map((d) => d.udid)).to.deep.equal(udidsOf(recent));

      const filter: Filter = { $or: [{ model: 'iPad14,3' }, { supervised: true }], 'security.passcodePresent': true };
      const matching = all.filter((d) => (d.model === 'iPad14,3' || d.supervised === true) && d.security?.passcodePresent === true);
      expect(matching.length).to.be.greaterThan(0);
      expect((await walk({ filter, seenWithinDays: 36_500 }, 1000)).map((d) => d.udid)).to.deep.equal(udidsOf(matching));
    });

    it('lists the members of a device group, and only them', async () => {
      const members = async (group: string) => (await walk({ group }, 1000)).map((d) => d.udid);
      expect(await members('sales')).to.deep.equal([1, 4, 7].map(syntheticUdid).sort(byIdAsc));
      expect(await members('sales-emea')).to.deep.equal([4, 9].map(syntheticUdid).sort(byIdAsc));
      expect(await members('sale')).to.deep.equal([]);
      for (const udid of await members('sales')) expect(inventory.get(udid as string)!.groups).to.include('sales');
      await queries().list({ group: 'a,b' }).then(() => expect.fail('accepted'), (e: unknown) => expect(e).to.be.instanceOf(InvalidQueryError));
    });

    it('sorts, and a cursor walk visits every device once in that order; fields select what comes back', async () => {
      const expected = [...inventory.values()]
        .sort((a, b) => byIdAsc(b.osVersionKey!, a.osVersionKey!) || byIdAsc(a.deviceName ?? '', b.deviceName ?? '') || byIdAsc(a.udid, b.udid))
        .map((d) => d.udid);
      const walked = await walk({ sort: [{ path: 'osVersionKey', direction: 'desc' }, { path: 'deviceName', direction: 'asc' }] }, 7);
      expect(walked.map((d) => d.udid)).to.deep.equal(expected);
      expect(new Set(walked.map((d) => d.udid)).size).to.equal(inventory.size);

      const slim = await walk({ fields: ['deviceName', 'security.passcodePresent'], sort: [{ path: 'batteryLevel', direction: 'asc' }] }, 4);
      expect(slim.length).to.equal(inventory.size);
      for (const doc of slim) {
        const full = inventory.get(doc.udid as string)!;
        expect(doc).to.deep.equal({ udid: full.udid, deviceName: full.deviceName, security: { passcodePresent: full.security!.passcodePresent } });
      }
      const batteries = slim.map((d) => inventory.get(d.udid as string)!.batteryLevel!);
      expect(batteries).to.deep.equal([...batteries].sort((a, b) => a - b));
    });

    it('summarises a field over the listed devices', async () => {
      const counts = new Map<string, number>();
      for (const d of inventory.values()) counts.set(d.model!, (counts.get(d.model!) ?? 0) + 1);
      const summary = await queries().summary('model');
      expect(new Map(summary.map((s) => [s.value, s.count]))).to.deep.equal(counts);
      expect(summary.map((s) => s.count)).to.deep.equal([...summary.map((s) => s.count)].sort((a, b) => b - a));
    });

    it('refuses unknown fields, bad days and versions, and foreign cursors with InvalidQueryError', async () => {
      await refused(() => queries().list({ filter: { nosuch: 1 } }), /cannot filter on "nosuch"/);
      await refused(() => queries().list({ filter: { $or: [{ udid: 'x' }, { 'security.secret': true }] } }));
      await refused(() => queries().list({ sort: [{ path: 'apps', direction: 'asc' }] }), /cannot sort by "apps"/);
      await refused(() => queries().list({ fields: ['unlockToken'] }), /cannot return "unlockToken"/);
      await refused(() => queries().list({ seenWithinDays: -1 }));
      await refused(() => queries().list({ notSeenForDays: Number.NaN }));
      await refused(() => queries().list({ minimumOsVersion: 'seventeen' }));
      await refused(() => queries().list({ cursor: 'not-a-cursor' }));
      await refused(() => queries().summary('nosuch'));
    });
  });

  describe('command history', () => {
    const queries = () => new CommandHistoryQueries(readModels);
    const udid = syntheticUdid(7);
    const mine = () => [...commands.values()].filter((c) => c.udid === udid).sort((a, b) => byIdAsc(b.queuedAt, a.queuedAt) || byIdAsc(`${a.udid}:${a.commandUuid}`, `${b.udid}:${b.commandUuid}`));

    it("lists a device's commands newest first, page by page, each as the fold made it", async () => {
      const out: JsonObject[] = [];
      let cursor: string | undefined;
      do {
        const page = await queries().forDevice(udid, { limit: 6, ...(cursor ? { cursor } : {}) });
        out.push(...page.commands);
        cursor = page.nextCursor;
      } while (cursor);
      expect(out.length).to.be.greaterThan(10);
      expect(out).to.deep.equal(mine());
    });

    it('filters by status, request type and queue time', async () => {
      const failed = mine().filter((c) => c.status === 'failed' || c.status === 'acknowledged');
      expect((await queries().forDevice(udid, { status: ['failed', 'acknowledged'], limit: 1000 })).commands).to.deep.equal(failed);
      const profiles = mine().filter((c) => c.requestType === 'ProfileList');
      expect(profiles.length).to.be.greaterThan(0);
      expect((await queries().forDevice(udid, { requestType: 'ProfileList', limit: 1000 })).commands).to.deep.equal(profiles);
      const times = mine().map((c) => c.queuedAt).sort();
      const [from, until] = [times[3]!, times[times.length - 3]!];
      const window = mine().filter((c) => c.queuedAt >= from && c.queuedAt < until);
      expect((await queries().forDevice(udid, { queuedFrom: from, queuedUntil: until.replace('Z', '+00:00'), limit: 1000 })).commands).to.deep.equal(window);
      await refused(() => queries().forDevice(udid, { status: ['lost'] }), /status "lost" is not one of/);
      await refused(() => queries().forDevice(udid, { queuedFrom: 'yesterday' }));
    });
  });

  describe('audit history', () => {
    const queries = () => new AuditQueries(readModels);
    const entries = () => [...audit.values()];

    it("lists a device's entries oldest or newest first, by type and by time range", async () => {
      const udid = syntheticUdid(11);
      const mine = entries().filter((e) => e.udid === udid).sort((a, b) => byIdAsc(a.at, b.at) || a.position - b.position);
      expect(mine.length).to.be.greaterThan(60);
      expect((await queries().list({ udid, order: 'asc', limit: 1000 })).entries).to.deep.equal(mine);
      const newest = (await queries().list({ udid, limit: 1000 })).entries as unknown as AuditEntry[];
      // Exactly the reverse, ties of time included: events recorded together keep their order.
      expect(mine.some((e, i) => i > 0 && e.at === mine[i - 1]!.at), 'entries that share a time').to.equal(true);
      expect(newest.map((e) => e.position)).to.deep.equal(mine.map((e) => e.position).reverse());

      const seen = entries().filter((e) => e.type === 'DeviceSeen' || e.type === 'CommandFailed').sort((a, b) => byIdAsc(a.at, b.at) || a.position - b.position);
      expect(seen.length).to.be.greaterThan(0);
      expect((await queries().list({ type: ['DeviceSeen', 'CommandFailed'], order: 'asc', limit: 1000 })).entries).to.deep.equal(seen);

      const times = mine.map((e) => e.at);
      const [from, until] = [times[10]!, times[50]!];
      const window = mine.filter((e) => e.at >= from && e.at < until);
      expect((await queries().list({ udid, from, until, order: 'asc', limit: 1000 })).entries).to.deep.equal(window);
      expect((await queries().list({ actor: 'admin:alice', order: 'asc' })).entries.map((e) => e.type)).to.deep.equal(['CompliancePolicyDefined', 'CompliancePolicyDefined', 'CompliancePolicyDefined', 'CompliancePolicyRetired']);
      await refused(() => queries().list({ from: '5 May' }));
    });

    it('pages through every entry once', async () => {
      const seen = new Set<number>();
      let cursor: string | undefined;
      do {
        const page = await queries().list({ limit: 500, order: 'asc', ...(cursor ? { cursor } : {}) });
        for (const e of page.entries) seen.add(e.position as number);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.size).to.equal(audit.size);
    });
  });

  describe('compliance', () => {
    const queries = () => new ComplianceQueries(readModels, fixedClock(now.toISOString()));

    it('evaluates each device against the policies in force as evaluateCompliance does', async () => {
      expect((await queries().policies()).map((p) => p.policyId)).to.deep.equal(['passcode', 'recent']);
      const evaluations = new Map([...inventory.values()].map((d) => [d.udid, evaluateCompliance(d, policies, now)]));
      const statuses = new Set([...evaluations.values()].map((e) => e.status));
      expect(statuses.size, 'the fleet is not all alike').to.be.greaterThan(1);
      for (const udid of [syntheticUdid(0), syntheticUdid(1), syntheticUdid(2), syntheticUdid(13)]) {
        expect(await queries().device(udid)).to.deep.include({ udid, ...evaluations.get(udid) });
      }
      expect(await queries().device('00008110-FFFFFFFFFFFFFFFF')).to.equal(undefined);

      const summary = await queries().summary();
      const expected = summarizeCompliance([...evaluations.values()], policies);
      expect(summary).to.deep.include({ devices: expected.devices, policies: expected.policies, evaluatedAt: now.toISOString() });
      expect(summary.devices.total).to.equal(inventory.size);

      const nonCompliant = [...evaluations].filter(([, e]) => e.status === 'non-compliant').map(([u]) => u).sort(byIdAsc);
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await queries().list({ status: 'non-compliant', limit: 3, ...(cursor ? { cursor } : {}) });
        listed.push(...page.devices.map((d) => d.udid));
        cursor = page.nextCursor;
      } while (cursor);
      expect(listed).to.deep.equal(nonCompliant);
      const recentOnly = [...evaluations].filter(([, e]) => e.policies.find((p) => p.policyId === 'recent')?.status === 'compliant').map(([u]) => u).sort(byIdAsc);
      expect((await queries().list({ policyId: 'recent', status: 'compliant', limit: 1000 })).devices.map((d) => d.udid)).to.deep.equal(recentOnly);
      await refused(() => queries().list({ policyId: 'retired' }), /no policy "retired" is in force/);
      await refused(() => queries().list({ status: 'bad' as never }));
      await refused(() => queries().list({ cursor: 'x' }));
    });
  });

  it('a read model never built is unavailable, not empty', async () => {
    const empty = new Stores();
    try {
      let caught: unknown;
      await new InventoryQueries(new ReadModels(empty.documents), fixedClock(now.toISOString())).list().catch((e: unknown) => (caught = e));
      expect(caught).to.be.instanceOf(ReadModelUnavailableError);
    } finally {
      await empty.close();
    }
  });
});
