import { expect } from 'chai';
import { parseRules } from '../../domain/compliance-policy/rules.js';
import type { PolicyDocument } from '../../projections/compliance-policies.js';
import { evaluateCompliance, summarizeCompliance, type DeviceCompliance } from '../../projections/compliance-evaluation.js';
import type { InventoryDocument } from '../../projections/inventory-document.js';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const before = (days: number, from = NOW) => new Date(from.getTime() - days * DAY).toISOString();
const after = (days: number, from = NOW) => new Date(from.getTime() + days * DAY).toISOString();
const POLICY_START = '2026-04-01T00:00:00.000Z';
const REPORTED = '2026-06-14T00:00:00.000Z';

function device(over: Partial<InventoryDocument> = {}): InventoryDocument {
  return {
    udid: '00008030-001A2B3C4D5E802E', enrollmentState: 'enrolled', groups: [], groupsKey: ',', firstSeenAt: '2026-01-01T00:00:00.000Z',
    lastSeenAt: before(1), pushState: 'active', pendingCommands: 0, failedCommands: 0, factsChangedAt: {}, updatedAt: before(1), ...over,
  };
}

function policy(rules: unknown[], over: Partial<PolicyDocument> = {}): PolicyDocument {
  return {
    policyId: 'baseline', name: 'Baseline', rules: parseRules(rules), scope: { type: 'all' }, revision: 1, definedAt: POLICY_START, definedBy: 'admin:alice',
    effectiveSince: POLICY_START, updatedAt: POLICY_START, retired: false, ...over,
  };
}

/** The device against one policy of one rule: its status and its reasons. */
function check(rule: Record<string, unknown>, over: Partial<InventoryDocument>, now = NOW) {
  const result = evaluateCompliance(device(over), [policy([rule])], now);
  return { status: result.status, since: result.since, reasons: result.policies[0]?.reasons ?? [] };
}

const security = (fields: Partial<NonNullable<InventoryDocument['security']>>) => ({ security: { reportedAt: REPORTED, ...fields } });
const list = <T>(items: T[], truncated = false) => ({ items, reportedAt: REPORTED, ...(truncated ? { truncated } : {}) });
const profile = (identifier: string) => ({ identifier, uuid: `uuid-${identifier}` });
const app = (identifier: string) => ({ identifier });

describe('compliance evaluation', () => {
  describe('passcode-required', () => {
    const rule = { type: 'passcode-required' };
    it('passes with a passcode', () => expect(check(rule, security({ passcodePresent: true })).status).to.equal('compliant'));
    it('fails without one, since the later of the fact change and the policy start', () => {
      const changed = '2026-05-10T08:00:00.000Z';
      expect(check(rule, { ...security({ passcodePresent: false }), factsChangedAt: { passcode: changed } })).to.deep.equal({
        status: 'non-compliant', since: changed, reasons: [{ rule: 'passcode-required', status: 'non-compliant', message: 'passcode not set', since: changed }],
      });
      const result = evaluateCompliance(device({ ...security({ passcodePresent: false }), factsChangedAt: { passcode: '2026-01-10T00:00:00.000Z' } }), [policy([rule])], NOW);
      expect(result.since, 'not before the policy took effect').to.equal(POLICY_START);
    });
    it('falls back to the report time when the inventory does not say when the fact changed', () => {
      const late = policy([rule], { effectiveSince: '2026-01-01T00:00:00.000Z' });
      expect(evaluateCompliance(device(security({ passcodePresent: false })), [late], NOW).since).to.equal(REPORTED);
    });
    it('is unknown before the device reported', () => {
      expect(check(rule, {})).to.deep.equal({ status: 'unknown', since: undefined, reasons: [{ rule: 'passcode-required', status: 'unknown', message: 'passcode not reported yet' }] });
      expect(check(rule, security({})).status).to.equal('unknown');
    });
  });

  describe('hardware-encryption', () => {
    it('needs every required capability bit (default 3)', () => {
      expect(check({ type: 'hardware-encryption' }, security({ hardwareEncryptionCaps: 3 })).status).to.equal('compliant');
      expect(check({ type: 'hardware-encryption' }, security({ hardwareEncryptionCaps: 1 })).reasons[0]).to.deep.include({ status: 'non-compliant', message: 'encryption block-level, block- and file-level required' });
      expect(check({ type: 'hardware-encryption' }, security({ hardwareEncryptionCaps: 0 })).reasons[0]!.message).to.equal('storage not encrypted');
      expect(check({ type: 'hardware-encryption', caps: 1 }, security({ hardwareEncryptionCaps: 3 })).status).to.equal('compliant');
      expect(check({ type: 'hardware-encryption', caps: 2 }, security({ hardwareEncryptionCaps: 1 })).status).to.equal('non-compliant');
      expect(check({ type: 'hardware-encryption' }, {}).reasons[0]).to.deep.include({ status: 'unknown', message: 'encryption not reported yet' });
    });
    it('asks a Mac for FileVault instead', () => {
      const mac = { productName: 'MacBookPro18,3' };
      expect(check({ type: 'hardware-encryption' }, { ...mac, ...security({ fileVaultEnabled: true }) }).status).to.equal('compliant');
      expect(check({ type: 'hardware-encryption' }, { ...mac, ...security({ fileVaultEnabled: false }) }).reasons[0]!.message).to.equal('FileVault is off');
      expect(check({ type: 'hardware-encryption' }, { ...mac, ...security({ hardwareEncryptionCaps: 3 }) }).reasons[0]).to.deep.include({ status: 'unknown', message: 'FileVault not reported yet' });
      expect(check({ type: 'hardware-encryption' }, security({ fileVaultEnabled: true })).status, 'a FileVault report marks a Mac').to.equal('compliant');
    });
  });

  describe('minimum-os-version', () => {
    const rule = { type: 'minimum-os-version', version: '17.0' };
    it('compares versions numerically, component by component', () => {
      expect(check(rule, { osVersion: '17.0' }).status).to.equal('compliant');
      expect(check(rule, { osVersion: '17' }).status).to.equal('compliant');
      expect(check(rule, { osVersion: '18.0.1' }).status).to.equal('compliant');
      expect(check({ type: 'minimum-os-version', version: '17.10' }, { osVersion: '17.9' }).status).to.equal('non-compliant');
      expect(check({ type: 'minimum-os-version', version: '17.9' }, { osVersion: '17.10' }).status).to.equal('compliant');
    });
    it('fails below the minimum', () => {
      const changed = '2026-06-01T00:00:00.000Z';
      expect(check(rule, { osVersion: '16.7', factsChangedAt: { osVersion: changed } }).reasons).to.deep.equal([{ rule: 'minimum-os-version', status: 'non-compliant', message: 'OS 16.7 is below the minimum 17.0', since: changed }]);
    });
    it('is unknown without a comparable version', () => {
      expect(check(rule, {}).reasons[0]!.message).to.equal('OS version not reported yet');
      expect(check(rule, { osVersion: 'beta' }).reasons[0]).to.deep.include({ status: 'unknown', message: 'OS version beta cannot be compared' });
    });
  });

  describe('required-profiles and forbidden-profiles', () => {
    const required = { type: 'required-profiles', identifiers: ['com.example.wifi', 'com.example.vpn'] };
    const forbidden = { type: 'forbidden-profiles', identifiers: ['com.bad'] };
    it('passes when every required profile is there and no forbidden one', () => {
      const profiles = list([profile('com.example.wifi'), profile('com.example.vpn'), profile('com.other')]);
      expect(check(required, { profiles }).status).to.equal('compliant');
      expect(check(forbidden, { profiles }).status).to.equal('compliant');
    });
    it('names each missing or forbidden profile', () => {
      const changed = '2026-06-02T00:00:00.000Z';
      const profiles = list([profile('com.example.wifi'), profile('com.bad')]);
      expect(check(required, { profiles, factsChangedAt: { profiles: changed } }).reasons).to.deep.equal([{ rule: 'required-profiles', status: 'non-compliant', message: 'profile com.example.vpn missing', since: changed }]);
      expect(check(forbidden, { profiles }).reasons).to.deep.equal([{ rule: 'forbidden-profiles', status: 'non-compliant', message: 'forbidden profile com.bad installed', since: REPORTED }]);
    });
    it('is unknown before the list is reported, and where a cut-short list cannot tell', () => {
      expect(check(required, {}).reasons).to.deep.equal([{ rule: 'required-profiles', status: 'unknown', message: 'installed profiles not reported yet' }]);
      expect(check(forbidden, {}).status).to.equal('unknown');
      const cut = list([profile('com.example.wifi')], true);
      expect(check(required, { profiles: cut }).reasons).to.deep.equal([{ rule: 'required-profiles', status: 'unknown', message: 'profile list was cut short: cannot tell whether com.example.vpn is installed' }]);
      expect(check(forbidden, { profiles: cut }).status).to.equal('unknown');
      expect(check(forbidden, { profiles: list([profile('com.bad')], true) }).status, 'found is found').to.equal('non-compliant');
    });
  });

  describe('required-apps', () => {
    const rule = { type: 'required-apps', identifiers: ['com.example.app'] };
    it('passes, fails or is unknown', () => {
      expect(check(rule, { apps: list([app('com.example.app')]) }).status).to.equal('compliant');
      expect(check(rule, { apps: list([app('com.other')]), factsChangedAt: { apps: '2026-06-03T00:00:00.000Z' } }).reasons).to.deep.equal([{ rule: 'required-apps', status: 'non-compliant', message: 'app com.example.app not installed', since: '2026-06-03T00:00:00.000Z' }]);
      expect(check(rule, {}).reasons[0]).to.deep.include({ status: 'unknown', message: 'installed apps not reported yet' });
    });
  });

  describe('maximum-days-since-seen', () => {
    const rule = { type: 'maximum-days-since-seen', days: 7 };
    it('fails from the day the limit ran out, against the time given', () => {
      const seen = before(12);
      expect(check(rule, { lastSeenAt: seen }).reasons).to.deep.equal([{ rule: 'maximum-days-since-seen', status: 'non-compliant', message: 'last seen 12 days ago (limit 7)', since: after(7, new Date(seen)) }]);
      expect(check(rule, { lastSeenAt: seen }, new Date(Date.parse(seen) + 6 * DAY)).status, 'six days after').to.equal('compliant');
      expect(check(rule, { lastSeenAt: before(6) }).status).to.equal('compliant');
      expect(check(rule, { lastSeenAt: before(7.5) }).reasons[0]!.message).to.equal('last seen over 7 days ago (limit 7)');
    });
    it('never since before the policy took effect', () => {
      expect(check(rule, { lastSeenAt: '2026-01-01T00:00:00.000Z' }).since).to.equal(POLICY_START);
    });
  });

  describe('certificates-expiring', () => {
    const rule = { type: 'certificates-expiring', withinDays: 30 };
    const certificates = (notAfter: string, commonName = 'Device Identity') => list([{ commonName, notAfter }, { commonName: 'Root', notAfter: after(3000) }]);
    it('fails from withinDays before a certificate ends, against the time given', () => {
      const notAfter = after(10);
      const result = check(rule, { certificates: certificates(notAfter), factsChangedAt: { certificates: '2026-02-01T00:00:00.000Z' } });
      expect(result.reasons).to.deep.equal([{ rule: 'certificates-expiring', status: 'non-compliant', message: 'certificate Device Identity expires on 2026-06-25 (within 30 days)', since: before(30, new Date(notAfter)) }]);
      expect(check(rule, { certificates: certificates(notAfter) }, new Date(Date.parse(notAfter) - 31 * DAY)).status, 'a day before the window').to.equal('compliant');
      expect(check(rule, { certificates: certificates(after(40)) }).status).to.equal('compliant');
    });
    it('reports an expired certificate; the since is not before the certificate was reported', () => {
      const result = check({ type: 'certificates-expiring', withinDays: 0 }, { certificates: certificates(before(2)), factsChangedAt: { certificates: '2026-02-01T00:00:00.000Z' } });
      expect(result.reasons).to.deep.equal([{ rule: 'certificates-expiring', status: 'non-compliant', message: 'certificate Device Identity expired on 2026-06-13', since: before(2) }]);
      const arrivedLate = check(rule, { certificates: certificates(after(5)), factsChangedAt: { certificates: '2026-06-14T06:00:00.000Z' } });
      expect(arrivedLate.since).to.equal('2026-06-14T06:00:00.000Z');
    });
    it('is unknown before the list is reported', () => {
      expect(check(rule, {}).reasons).to.deep.equal([{ rule: 'certificates-expiring', status: 'unknown', message: 'certificates not reported yet' }]);
      expect(check(rule, { certificates: list([{ commonName: 'Root', notAfter: after(3000) }], true) }).status).to.equal('unknown');
    });
  });

  describe('roaming-off', () => {
    const information = { informationReportedAt: REPORTED };
    it('checks the kinds of roaming the rule names', () => {
      expect(check({ type: 'roaming-off' }, { ...information, dataRoamingEnabled: false, voiceRoamingEnabled: false }).status).to.equal('compliant');
      expect(check({ type: 'roaming-off' }, { ...information, dataRoamingEnabled: true, voiceRoamingEnabled: true, factsChangedAt: { roaming: '2026-06-10T00:00:00.000Z' } }).reasons).to.deep.equal([
        { rule: 'roaming-off', status: 'non-compliant', message: 'data roaming on', since: '2026-06-10T00:00:00.000Z' },
        { rule: 'roaming-off', status: 'non-compliant', message: 'voice roaming on', since: '2026-06-10T00:00:00.000Z' },
      ]);
      expect(check({ type: 'roaming-off', voice: true }, { ...information, dataRoamingEnabled: true, voiceRoamingEnabled: false }).status).to.equal('compliant');
    });
    it('passes a device without cellular roaming settings; unknown before any information', () => {
      expect(check({ type: 'roaming-off' }, information).status).to.equal('compliant');
      expect(check({ type: 'roaming-off' }, {}).reasons).to.deep.equal([{ rule: 'roaming-off', status: 'unknown', message: 'roaming not reported yet' }]);
      // A phone (it has an IMEI) whose reports never carried the roaming answers is not known to pass.
      expect(check({ type: 'roaming-off' }, { ...information, imei: '35 209900 176148 1' }).reasons).to.deep.equal([{ rule: 'roaming-off', status: 'unknown', message: 'roaming not reported yet' }]);
      expect(check({ type: 'roaming-off' }, { ...information, iccid: '8949 0000 0000 0000 001' }).status).to.equal('unknown');
    });
  });

  describe('scope and status', () => {
    const passcode = policy([{ type: 'passcode-required' }], { policyId: 'passcode' });
    const sales = policy([{ type: 'minimum-os-version', version: '17.0' }], { policyId: 'sales-os', scope: { type: 'groups', groups: ['sales'] } });

    it('applies a group policy to members and to devices that enrolled into the group', () => {
      const member = evaluateCompliance(device({ groups: ['dev', 'sales'], osVersion: '16.0' }), [sales], NOW);
      expect(member.status).to.equal('non-compliant');
      expect(evaluateCompliance(device({ enrollmentGroup: 'sales', osVersion: '17.1' }), [sales], NOW).policies.map((p) => p.policyId)).to.deep.equal(['sales-os']);
      expect(evaluateCompliance(device({ groups: ['dev'], osVersion: '16.0' }), [sales], NOW)).to.deep.equal({ status: 'not-applicable', policies: [] });
    });

    it('holds no device that left or was rejected, and skips retired policies', () => {
      for (const enrollmentState of ['checked-out', 'rejected'] as const) expect(evaluateCompliance(device({ enrollmentState }), [passcode], NOW).status).to.equal('not-applicable');
      for (const enrollmentState of ['enrolled', 'quarantined', 'authenticated', 'unenrolling'] as const) expect(evaluateCompliance(device({ enrollmentState }), [passcode], NOW).status).to.equal('unknown');
      expect(evaluateCompliance(device(), [{ ...passcode, retired: true, retiredAt: REPORTED }], NOW).status).to.equal('not-applicable');
    });

    it('non-compliant beats unknown; failing reasons come first; the device since is the earliest failing one', () => {
      const both = policy([{ type: 'passcode-required' }, { type: 'maximum-days-since-seen', days: 7 }, { type: 'minimum-os-version', version: '17.0' }], { policyId: 'both' });
      const lastSeen = '2026-05-01T00:00:00.000Z';
      const result = evaluateCompliance(device({ lastSeenAt: lastSeen, osVersion: '16.0', factsChangedAt: { osVersion: '2026-06-01T00:00:00.000Z' } }), [both, passcode], NOW);
      expect(result.status).to.equal('non-compliant');
      expect(result.since).to.equal('2026-05-08T00:00:00.000Z');
      expect(result.policies.map((p) => [p.policyId, p.status, p.since])).to.deep.equal([['both', 'non-compliant', '2026-05-08T00:00:00.000Z'], ['passcode', 'unknown', undefined]]);
      expect(result.policies[0]!.reasons.map((r) => [r.rule, r.status])).to.deep.equal([['maximum-days-since-seen', 'non-compliant'], ['minimum-os-version', 'non-compliant'], ['passcode-required', 'unknown']]);
    });

    it('is compliant when every applicable policy passes, without a since', () => {
      expect(evaluateCompliance(device({ ...security({ passcodePresent: true }), groups: ['sales'], osVersion: '17.2' }), [passcode, sales], NOW)).to.deep.equal({
        status: 'compliant', policies: [{ policyId: 'passcode', status: 'compliant', reasons: [] }, { policyId: 'sales-os', status: 'compliant', reasons: [] }],
      });
    });

    it('refuses an invalid time', () => {
      expect(() => evaluateCompliance(device(), [passcode], new Date('nonsense'))).to.throw(TypeError);
    });
  });

  describe('summary', () => {
    it('counts devices overall and per policy in force', () => {
      const passcode = policy([{ type: 'passcode-required' }], { policyId: 'passcode', name: 'Passcode' });
      const sales = policy([{ type: 'minimum-os-version', version: '17.0' }], { policyId: 'sales-os', name: 'Sales OS', scope: { type: 'groups', groups: ['sales'] } });
      const old = policy([{ type: 'roaming-off' }], { policyId: 'old', retired: true });
      const policies = [passcode, sales, old];
      const evaluations: DeviceCompliance[] = [
        device({ ...security({ passcodePresent: true }), groups: ['sales'], osVersion: '17.1' }),
        device({ ...security({ passcodePresent: false }), groups: ['sales'], osVersion: '17.1' }),
        device({ groups: ['sales'], osVersion: '16.0' }),
        device({ ...security({ passcodePresent: true }) }),
        device({}),
        device({ enrollmentState: 'checked-out' }),
      ].map((d) => evaluateCompliance(d, policies, NOW));
      expect(summarizeCompliance(evaluations, policies)).to.deep.equal({
        devices: { compliant: 2, nonCompliant: 2, unknown: 1, notApplicable: 1, total: 6 },
        policies: [
          { policyId: 'passcode', name: 'Passcode', compliant: 2, nonCompliant: 1, unknown: 2, notApplicable: 1 },
          { policyId: 'sales-os', name: 'Sales OS', compliant: 2, nonCompliant: 1, unknown: 0, notApplicable: 3 },
        ],
      });
    });
  });
});
