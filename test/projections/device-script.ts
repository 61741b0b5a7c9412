import type { DeviceFacts } from '../../domain/device/device-facts.js';
import type { CommandResultInput } from '../../domain/device/queue/commands.js';
import type { ResultKind } from '../../domain/device/queue/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { EventLog, queryResult, t } from './event-log.js';

export const UDID = '00008110-000A1B2C3D4E5F60';
export const TOPIC = 'com.apple.mgmt.External.2f1c6a0e-6f4b-4f65-a7c4-0c1f7d3b9e21';
export const CERT_1 = 'a1'.repeat(32);
export const CERT_2 = 'b2'.repeat(32);
const SEEN_INTERVAL_MS = 60 * 60_000;

const der = (label: string) => Buffer.from(`certificate ${label}`).toString('base64');
const EXPIRIES: Readonly<Record<string, string>> = { [der('identity')]: '2027-11-01T09:00:00.000Z', [der('root')]: '2036-01-01T00:00:00.000Z', [der('vpn')]: '2027-02-01T00:00:00.000Z' };
export const readNotAfter = (data: string): string | undefined => EXPIRIES[data];

/** Raw reports, as a device sends them (after plist to JSON), one per query kind. */
export const REPORTS: { readonly [K in ResultKind]: JsonObject } = {
  DeviceInformation: {
    QueryResponses: {
      UDID, DeviceName: 'Alice’s iPhone', OSVersion: '17.4.1', BuildVersion: '21E236', ModelName: 'iPhone', Model: 'MQ9T3LL/A', ProductName: 'iPhone15,2',
      SerialNumber: 'F2LXK0XXJGH5', DeviceCapacity: 128, AvailableDeviceCapacity: 64.5, BatteryLevel: 0.8, IMEI: '35 320008 123456 1', ICCID: '8901 4103 2111 1111 1112',
      ModemFirmwareVersion: '1.51.00', WiFiMAC: 'a4:83:e7:00:00:01', BluetoothMAC: 'a4:83:e7:00:00:02', IsSupervised: true, DataRoamingEnabled: false,
      VoiceRoamingEnabled: true, PhoneNumber: '+1 555 555 0100', CurrentCarrierNetwork: 'Carrier', SubscriberCarrierNetwork: 'Carrier', CarrierSettingsVersion: '57.0',
      TimeZone: 'Europe/Paris',
    },
  },
  SecurityInfo: { SecurityInfo: { HardwareEncryptionCaps: 3, PasscodePresent: true, PasscodeCompliant: true, PasscodeCompliantWithProfiles: false, AutoLockTime: 60 } },
  ProfileList: {
    ProfileList: [
      { PayloadIdentifier: 'com.example.wifi', PayloadUUID: '4F1E2D3C-0000-4000-8000-000000000001', PayloadDisplayName: 'Office Wi-Fi', PayloadOrganization: 'Example', IsManaged: true },
      { PayloadIdentifier: 'com.example.mdm', PayloadUUID: '4F1E2D3C-0000-4000-8000-000000000002', PayloadDisplayName: 'MDM', IsManaged: true, PayloadRemovalDisallowed: true },
    ],
  },
  InstalledApplicationList: {
    InstalledApplicationList: [
      { Identifier: 'com.apple.Pages', Name: 'Pages', Version: '7310', ShortVersion: '13.1', BundleSize: 512_000_000, DynamicSize: 2_000_000 },
      { Identifier: 'com.example.notes', Name: 'Notes Pro', ShortVersion: '2.0' },
      { Name: 'An app without identifier' },
    ],
  },
  CertificateList: {
    CertificateList: [
      { CommonName: UDID, IsIdentity: true, Data: der('identity') },
      { CommonName: 'Example Root CA', IsIdentity: false, Data: der('root') },
      { CommonName: 'VPN', IsIdentity: true, Data: der('vpn') },
    ],
  },
  ProvisioningProfileList: { ProvisioningProfileList: [{ Name: 'Example In-House', UUID: '0B9E7C52-0000-4000-8000-000000000003', ExpiryDate: '2027-03-01T00:00:00Z' }] },
  ManagedApplicationList: { ManagedApplicationList: { 'com.example.notes': { Status: 'Managed', ManagementFlags: 1 } } },
  Restrictions: { GlobalRestrictions: { restrictedBool: { allowCamera: { value: false } } } },
};

export const FACTS: DeviceFacts = { serialNumber: 'F2LXK0XXJGH5', model: 'MQ9T3LL/A', modelName: 'iPhone', productName: 'iPhone15,2', osVersion: '17.4', buildVersion: '21E219', deviceName: 'iPhone', imei: '35 320008 123456 1' };

/** A device driven through the real device decider, one step at a time. */
export class DeviceScript {
  private commands = 0;

  constructor(readonly log: EventLog = new EventLog(), readonly udid = UDID) {}

  authenticate(at: string, options: { certificateHash?: string; facts?: DeviceFacts; enrollment?: { enrollmentId: string; user?: string; group?: string }; quarantine?: boolean } = {}): this {
    this.log.device({
      type: 'StartEnrollment', udid: this.udid, topic: TOPIC, certificateHash: options.certificateHash ?? CERT_1, facts: options.facts ?? FACTS,
      ...(options.enrollment ? { enrollment: options.enrollment } : {}), ...(options.quarantine ? { quarantine: true } : {}), at,
    });
    return this;
  }

  tokenUpdate(at: string, pushToken = '0a0b0c0d'): this {
    this.log.device({ type: 'RecordTokenUpdate', udid: this.udid, topic: TOPIC, pushToken, pushMagic: 'PM-1', at });
    return this;
  }

  queue(requestType: string, at: string, by = 'admin:alice'): string {
    const commandUuid = `cmd-${String(++this.commands).padStart(4, '0')}`;
    this.log.device({ type: 'QueueCommand', udid: this.udid, commandUuid, request: { requestType }, priority: 50, expiresAt: t(100_000), queuedBy: by, at }, { kind: 'admin', id: 'alice' });
    return commandUuid;
  }

  idle(at: string): this {
    this.log.device({ type: 'RequestNextCommand', udid: this.udid, at, seenIntervalMs: SEEN_INTERVAL_MS });
    return this;
  }

  acknowledge(commandUuid: string, at: string, result?: CommandResultInput): this {
    this.log.device({ type: 'RecordReport', udid: this.udid, commandUuid, status: 'Acknowledged', at, seenIntervalMs: SEEN_INTERVAL_MS, ...(result ? { result } : {}) });
    return this;
  }

  fail(commandUuid: string, at: string): this {
    this.log.device({ type: 'RecordReport', udid: this.udid, commandUuid, status: 'Error', errorChain: [{ errorCode: 12021, errorDomain: 'MCMDMErrorDomain', localizedDescription: 'Not allowed' }], at, seenIntervalMs: SEEN_INTERVAL_MS });
    return this;
  }

  notNow(commandUuid: string, at: string): this {
    this.log.device({ type: 'RecordReport', udid: this.udid, commandUuid, status: 'NotNow', at, seenIntervalMs: SEEN_INTERVAL_MS });
    return this;
  }

  /** Queues the query, hands it out at the next Idle and acknowledges it with this report. */
  report(kind: ResultKind, at: number, report: JsonObject = REPORTS[kind]): this {
    const uuid = this.queue(kind, t(at));
    this.idle(t(at + 1));
    return this.acknowledge(uuid, t(at + 2), queryResult(kind, report, readNotAfter));
  }

  checkOut(at: string): this {
    this.log.device({ type: 'CheckOut', udid: this.udid, at });
    return this;
  }
}
