import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { canonicalResult, parseCommandResult, REQUEST_TYPES, REQUEST_TYPE_INFO, type CommandResult } from '../../domain/commands/index.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { certificateNotAfter } from '../../infrastructure/mdm-commands/certificate-expiry.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';
import {
  deviceInformationXml,
  installedApplicationListXml,
  managedApplicationListXml,
  profileListXml,
  provisioningProfileListXml,
  pushTokenBase64,
  report,
  restrictionsXml,
  securityInfoXml,
  signerDer,
} from './reports.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const parse = (type: string, body: string) => parseCommandResult(type, report(body));

/** The same content with every dictionary's keys and every array in reverse order. */
function reordered(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reordered).reverse();
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).reverse().map((k) => [k, reordered(value[k]!)]));
  return value;
}

describe('parseCommandResult', () => {
  it('DeviceInformation: the named answers typed, other answers kept as sent', () => {
    const result = parse('DeviceInformation', deviceInformationXml);
    expect(result).to.deep.equal({
      requestType: 'DeviceInformation',
      QueryResponses: {
        AvailableDeviceCapacity: 47.91,
        BatteryLevel: 0.87,
        BluetoothMAC: 'a4:83:e7:12:34:56',
        BuildVersion: '21E236',
        CarrierSettingsVersion: '57.0',
        CurrentCarrierNetwork: 'Orange F',
        DataRoamingEnabled: false,
        DeviceCapacity: 128,
        DeviceName: 'Alice’s iPhone',
        ICCID: '8933 0123 4567 8901 234',
        IMEI: '35 123456 789012 3',
        IsSupervised: true,
        MEID: '35123456789012',
        Model: 'MLPF3',
        ModelName: 'iPhone',
        ModemFirmwareVersion: '2.50.01',
        OSVersion: '17.4',
        PhoneNumber: '+33 6 12 34 56 78',
        ProductName: 'iPhone14,5',
        SerialNumber: 'F2LXK0XXHG7F',
        SubscriberCarrierNetwork: 'Orange F',
        UDID: '00008030-001A2B3C4D5E6F70',
        VoiceRoamingEnabled: true,
        WiFiMAC: 'a4:83:e7:65:43:21',
        other: {
          IsActivationLockEnabled: true,
          LastCloudBackupDate: '2026-10-30T22:14:05.000Z',
          PushToken: pushTokenBase64,
          ServiceSubscriptions: [{ CarrierSettingsVersion: '57.0', IsDataPreferred: true, Label: 'Primary', Slot: 'CTSubscriptionSlotOne' }],
        },
      },
    });
  });

  it('DeviceInformation: wrong-typed answers are left out, the rest is kept', () => {
    const result = parseCommandResult('DeviceInformation', { QueryResponses: { UDID: 42, IsSupervised: 'yes', BatteryLevel: 'full', OSVersion: '17.4', DeviceCapacity: 64 } });
    expect(result).to.deep.equal({ requestType: 'DeviceInformation', QueryResponses: { OSVersion: '17.4', DeviceCapacity: 64 } });
  });

  it('DeviceInformation: `other` is bounded in entries and size', () => {
    const responses: Record<string, JsonValue> = { UDID: 'u' };
    for (let i = 0; i < 100; i++) responses[`Future${String(i).padStart(3, '0')}`] = i;
    responses['Attestation'] = ['x'.repeat(5000)];
    responses['bad key!'] = 1;
    const result = parseCommandResult('DeviceInformation', { QueryResponses: responses }) as Extract<CommandResult, { requestType: 'DeviceInformation' }>;
    const other = result.QueryResponses.other!;
    expect(Object.keys(other)).to.have.length(64);
    expect(other).to.not.have.property('Attestation');
    expect(other).to.not.have.property('bad key!');
    expect(result.truncated).to.equal(true);
  });

  it('SecurityInfo: typed and nested, without the FileVault recovery key', () => {
    const result = parse('SecurityInfo', securityInfoXml) as Extract<CommandResult, { requestType: 'SecurityInfo' }>;
    expect(result.SecurityInfo).to.not.have.property('FDE_PersonalRecoveryKeyCMS');
    expect(JSON.stringify(result)).to.not.include('MIIBsgYJKoZIhvcNAQcD');
    expect(result.SecurityInfo).to.include({ FDE_Enabled: true, HardwareEncryptionCaps: 3, PasscodePresent: true, FDE_PersonalRecoveryKeyDeviceKey: 'C02XL0XXJGH5' });
    expect(result.SecurityInfo.FirewallSettings).to.deep.equal({
      Applications: [
        { Allowed: false, BundleID: 'com.apple.Safari', Name: 'Safari' },
        { Allowed: true, BundleID: 'com.example.zoom', Name: 'Zoom' },
      ],
      BlockAllIncoming: false,
      FirewallEnabled: true,
      LoggingEnabled: true,
      LoggingOption: 'throttled',
      StealthMode: true,
    });
    expect(result.SecurityInfo.SecureBoot).to.deep.equal({ ExternalBootLevel: 'disallowed', ReducedSecurity: ['AllowsAnyAppleSignedOS', 'AllowsMDM'], SecureBootLevel: 'medium' });
    expect(result.SecurityInfo.ManagementStatus).to.deep.equal({ EnrolledViaDEP: false, IsActivationLockManageable: false, IsUserEnrollment: false, UserApprovedEnrollment: true });
  });

  it('ProfileList: profiles by identifier, signer certificates as digests in chain order', () => {
    const result = parse('ProfileList', profileListXml) as Extract<CommandResult, { requestType: 'ProfileList' }>;
    expect(result.ProfileList.map((p) => p.PayloadIdentifier)).to.deep.equal(['com.example.mdm', 'com.example.wifi']);
    const wifi = result.ProfileList[1]!;
    expect(wifi.SignerCertificates).to.deep.equal([{ sha256: sha256(signerDer), size: signerDer.length }]);
    expect(wifi.PayloadContent!.map((p) => p.PayloadIdentifier)).to.deep.equal(['com.example.wifi.ca', 'com.example.wifi.payload']);
    expect(wifi.PayloadContent![1]).to.deep.equal({
      PayloadDescription: 'Configures Wi-Fi settings',
      PayloadDisplayName: 'Wi-Fi (Corp)',
      PayloadIdentifier: 'com.example.wifi.payload',
      PayloadType: 'com.apple.wifi.managed',
      PayloadUUID: '5C0F2D1E-3B4A-4C5D-8E7F-9A0B1C2D3E4F',
      PayloadVersion: 1,
    });
    expect(result.ProfileList[0]).to.deep.equal({
      IsEncrypted: true,
      PayloadDisplayName: 'MDM Enrollment',
      PayloadIdentifier: 'com.example.mdm',
      PayloadUUID: '0F1E2D3C-4B5A-4968-8776-655443322110',
      PayloadVersion: 1,
    });
  });

  it('ProfileList: an entry without an identifier is dropped, not the report', () => {
    const result = parseCommandResult('ProfileList', { ProfileList: [{ PayloadDisplayName: 'nameless' }, { PayloadIdentifier: 'a', PayloadUUID: 'u' }, 'junk', null] });
    expect(result).to.deep.equal({ requestType: 'ProfileList', ProfileList: [{ PayloadIdentifier: 'a', PayloadUUID: 'u' }] });
  });

  it('InstalledApplicationList: apps by identifier with their typed fields', () => {
    const result = parse('InstalledApplicationList', installedApplicationListXml) as Extract<CommandResult, { requestType: 'InstalledApplicationList' }>;
    expect(result.InstalledApplicationList.map((a) => a.Identifier)).to.deep.equal(['com.example.downloading', 'com.example.inhouse', 'com.microsoft.Office.Outlook']);
    expect(result.InstalledApplicationList[0]).to.deep.equal({ Identifier: 'com.example.downloading', Installing: true, DownloadWaiting: true, Name: 'Pending' });
    expect(result.InstalledApplicationList[2]).to.include({ BundleSize: 182145024, ExternalVersionIdentifier: 863412345, AppStoreVendable: true, ShortVersion: '4.2412.0' });
  });

  it('InstalledApplicationList: a huge list is cut at its bound and says so', () => {
    const apps = Array.from({ length: 10_005 }, (_, i) => ({ Identifier: `com.example.app${String(i).padStart(5, '0')}`, Name: `App ${i}` }));
    const result = parseCommandResult('InstalledApplicationList', { InstalledApplicationList: apps }) as Extract<CommandResult, { requestType: 'InstalledApplicationList' }>;
    expect(result.InstalledApplicationList).to.have.length(10_000);
    expect(result.truncated).to.equal(true);
    const reversed = parseCommandResult('InstalledApplicationList', { InstalledApplicationList: [...apps].reverse() })!;
    expect(canonicalResult(reversed), 'the same entries are kept whatever the order').to.equal(canonicalResult(result));
  });

  it('CertificateList: common name, identity flag, digest of the DER and, given a reader, its expiry', async function () {
    this.timeout(20_000);
    const testCa = await createTestCa('Result Parsing CA');
    const identity = await issueDeviceIdentity(testCa, '00008030-001A2B3C4D5E6F70');
    const caDer = new X509Certificate(testCa.certPem).raw;
    const body = `<key>CertificateList</key><array>
      <dict><key>CommonName</key><string>00008030-001A2B3C4D5E6F70</string><key>IsIdentity</key><true/><key>Data</key><data>${identity.der.toString('base64')}</data></dict>
      <dict><key>CommonName</key><string>Result Parsing CA</string><key>IsIdentity</key><false/><key>Data</key><data>${caDer.toString('base64')}</data></dict>
      <dict><key>CommonName</key><string>broken</string><key>IsIdentity</key><false/><key>Data</key><data>AAEC</data></dict>
    </array>`;
    const expected = [
      { CommonName: '00008030-001A2B3C4D5E6F70', IsIdentity: true, Data: { sha256: sha256(identity.der), size: identity.der.length }, notAfter: new Date(new X509Certificate(identity.der).validTo).toISOString() },
      { CommonName: 'Result Parsing CA', IsIdentity: false, Data: { sha256: sha256(caDer), size: caDer.length }, notAfter: new Date(new X509Certificate(caDer).validTo).toISOString() },
      { CommonName: 'broken', IsIdentity: false, Data: { sha256: sha256(Buffer.from([0, 1, 2])), size: 3 } },
    ].sort((a, b) => (a.Data.sha256 < b.Data.sha256 ? -1 : 1));
    const withExpiry = parseCommandResult('CertificateList', report(body), { certificateNotAfter }) as Extract<CommandResult, { requestType: 'CertificateList' }>;
    expect(withExpiry.CertificateList).to.deep.equal(expected);
    expect(JSON.stringify(withExpiry)).to.not.include(identity.der.toString('base64').slice(0, 40));
    const without = parseCommandResult('CertificateList', report(body)) as Extract<CommandResult, { requestType: 'CertificateList' }>;
    expect(without.CertificateList).to.deep.equal(expected.map(({ notAfter: _, ...rest }) => rest));
  });

  it('CertificateList: a reader that throws or answers nonsense only loses the expiry', () => {
    const body = { CertificateList: [{ CommonName: 'x', IsIdentity: false, Data: 'AAEC' }] };
    for (const certificateNotAfter of [() => { throw new Error('boom'); }, () => 'next Tuesday', () => 42 as unknown as string]) {
      expect(parseCommandResult('CertificateList', body, { certificateNotAfter })).to.deep.equal({
        requestType: 'CertificateList',
        CertificateList: [{ CommonName: 'x', IsIdentity: false, Data: { sha256: sha256(Buffer.from([0, 1, 2])), size: 3 } }],
      });
    }
  });

  it('ProvisioningProfileList: by UUID, expiry as ISO 8601', () => {
    expect(parse('ProvisioningProfileList', provisioningProfileListXml)).to.deep.equal({
      requestType: 'ProvisioningProfileList',
      ProvisioningProfileList: [
        { Name: 'Legacy Ad Hoc', UUID: '1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D' },
        { ExpiryDate: '2027-03-01T12:00:00.000Z', Name: 'Example In-House Distribution', UUID: '4F0C2E8A-9B1D-4C3E-8F7A-6B5C4D3E2F10' },
      ],
    });
  });

  it('ManagedApplicationList: by bundle identifier, without redemption codes', () => {
    const result = parse('ManagedApplicationList', managedApplicationListXml);
    expect(result).to.deep.equal({
      requestType: 'ManagedApplicationList',
      ManagedApplicationList: {
        'com.example.inhouse': { ExternalVersionIdentifier: 0, HasConfiguration: true, HasFeedback: false, IsValidated: true, ManagementFlags: 1, Status: 'Managed' },
        'com.microsoft.Office.Outlook': { ManagementFlags: 5, Status: 'Installing' },
      },
    });
    expect(JSON.stringify(result)).to.not.include('XYZ-REDEEM-ME');
  });

  it('Restrictions: global and per-profile, value sets sorted', () => {
    expect(parse('Restrictions', restrictionsXml)).to.deep.equal({
      requestType: 'Restrictions',
      GlobalRestrictions: {
        restrictedBool: { allowAppInstallation: { value: true }, allowCamera: { value: false } },
        restrictedValue: { maxGracePeriod: { value: 5 } },
        intersection: { allowedExternalIntelligenceWorkspaceIDs: { values: ['a', 'b'] } },
        union: { blockedAppBundleIDs: { values: ['com.example.game'] } },
      },
      ProfileRestrictions: { 'com.example.restrictions': { restrictedBool: { allowCamera: { value: false } } } },
    });
  });

  it('undefined for commands without a typed result and for reports that lack theirs', () => {
    for (const type of REQUEST_TYPES.filter((t) => !REQUEST_TYPE_INFO[t].query)) {
      expect(parseCommandResult(type, report(deviceInformationXml)), type).to.equal(undefined);
    }
    expect(parseCommandResult('Unknown', { QueryResponses: {} })).to.equal(undefined);
    expect(parseCommandResult('DeviceInformation', report(securityInfoXml))).to.equal(undefined);
    expect(parseCommandResult('ProfileList', { ProfileList: 'none' })).to.equal(undefined);
    expect(parseCommandResult('Restrictions', { ProfileRestrictions: {} })).to.equal(undefined);
  });

  it('never throws on hostile or malformed reports', () => {
    const deep: JsonValue = Array.from({ length: 200 }).reduce<JsonValue>((inner) => ({ QueryResponses: inner, ProfileList: [inner] }), {});
    const hostile: unknown[] = [null, [], 'x', 42, { __proto__: { QueryResponses: {} } }, JSON.parse('{"QueryResponses":{"__proto__":{"UDID":"x"}}}'), deep,
      { ManagedApplicationList: JSON.parse('{"__proto__":{"Status":"Managed"},"constructor":{"Status":"Managed"}}') },
      { CertificateList: [{ Data: '!!!not base64!!!' }, { Data: 'A' }, { Data: 'x'.repeat(7_000_000) }] }];
    for (const type of REQUEST_TYPES) {
      for (const input of hostile) expect(() => parseCommandResult(type, input as JsonObject), type).to.not.throw();
    }
    const managed = parseCommandResult('ManagedApplicationList', hostile[7] as JsonObject) as Extract<CommandResult, { requestType: 'ManagedApplicationList' }>;
    expect(Object.keys(managed.ManagedApplicationList)).to.deep.equal(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['Status']).to.equal(undefined);
    expect(parseCommandResult('CertificateList', hostile[8] as JsonObject)).to.deep.equal({ requestType: 'CertificateList', CertificateList: [] });
  });
});

describe('canonicalResult', () => {
  const reports: Array<[string, string]> = [
    ['DeviceInformation', deviceInformationXml],
    ['SecurityInfo', securityInfoXml],
    ['ProfileList', profileListXml],
    ['InstalledApplicationList', installedApplicationListXml],
    ['ProvisioningProfileList', provisioningProfileListXml],
    ['ManagedApplicationList', managedApplicationListXml],
    ['Restrictions', restrictionsXml],
  ];

  for (const [type, body] of reports) {
    it(`${type}: the same content in another key and list order reads the same`, () => {
      const original = report(body);
      const shuffled = reordered(original) as JsonObject;
      expect(JSON.stringify(shuffled)).to.not.equal(JSON.stringify(original));
      const a = parseCommandResult(type, original)!;
      const b = parseCommandResult(type, shuffled)!;
      expect(canonicalResult(b)).to.equal(canonicalResult(a));
      expect(canonicalResult(a)).to.equal(canonicalResult(JSON.parse(canonicalResult(a)) as CommandResult));
    });
  }

  it('differs when the content differs', () => {
    const a = parseCommandResult('DeviceInformation', { QueryResponses: { OSVersion: '17.4' } })!;
    const b = parseCommandResult('DeviceInformation', { QueryResponses: { OSVersion: '17.5' } })!;
    expect(canonicalResult(a)).to.not.equal(canonicalResult(b));
    expect(canonicalResult(a)).to.equal('{"QueryResponses":{"OSVersion":"17.4"},"requestType":"DeviceInformation"}');
  });

  it('can leave out values that change on every report (battery, free space, app data sizes)', () => {
    const at = (battery: number, free: number, OSVersion = '17.4') => parseCommandResult('DeviceInformation', { QueryResponses: { OSVersion, BatteryLevel: battery, AvailableDeviceCapacity: free } })!;
    expect(canonicalResult(at(0.5, 10))).to.not.equal(canonicalResult(at(0.4, 9)));
    expect(canonicalResult(at(0.5, 10), { excludeVolatile: true })).to.equal(canonicalResult(at(0.4, 9), { excludeVolatile: true }));
    expect(canonicalResult(at(0.5, 10), { excludeVolatile: true })).to.not.equal(canonicalResult(at(0.5, 10, '17.5'), { excludeVolatile: true }));
    const apps = (size: number) => parseCommandResult('InstalledApplicationList', { InstalledApplicationList: [{ Identifier: 'a', DynamicSize: size, Version: '1' }] })!;
    expect(canonicalResult(apps(1), { excludeVolatile: true })).to.equal(canonicalResult(apps(2), { excludeVolatile: true }));
    expect(canonicalResult(apps(1))).to.not.equal(canonicalResult(apps(2)));
  });
});
