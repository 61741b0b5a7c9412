import type { ResultKind } from '../domain/device/queue/events.js';
import { compact, earlier, finite, flag, list, record, sameJson, text } from './event-values.js';
import {
  osVersionKey,
  type FactsChangedAt,
  type InventoryApp,
  type InventoryCertificate,
  type InventoryDocument,
  type InventoryProfile,
  type InventoryProvisioningProfile,
  type InventorySecurity,
  type ReportedList,
} from './inventory-document.js';

/** A document being rebuilt from one event: written freely, then compacted (undefined keys dropped). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };
export type InventoryDraft = Writable<Omit<InventoryDocument, 'factsChangedAt'>> & { factsChangedAt: Writable<FactsChangedAt> };

/** Records when a compliance fact group took its value: only when the value really changed. */
function noteChange(d: InventoryDraft, fact: keyof FactsChangedAt, before: unknown, after: unknown, at: string): void {
  if (!sameJson(before, after)) d.factsChangedAt[fact] = at;
}

/** Sets the OS version with its sortable key, noting the change for compliance. */
export function setOsVersion(d: InventoryDraft, version: string | undefined, at: string): void {
  if (version === undefined) return;
  noteChange(d, 'osVersion', d.osVersion, version, at);
  d.osVersion = version;
  d.osVersionKey = osVersionKey(version);
}

/** What Authenticate (and a rebinding) says about the device: each fact it carries replaces ours. */
export function applyDeviceFacts(d: InventoryDraft, factsValue: unknown, at: string): void {
  const facts = record(factsValue);
  for (const key of ['serialNumber', 'model', 'modelName', 'productName', 'buildVersion', 'deviceName', 'imei', 'meid'] as const) {
    const value = text(facts[key]);
    if (value !== undefined) d[key] = value;
  }
  setOsVersion(d, text(facts['osVersion']), at);
}

const DEVICE_INFORMATION_TEXT = {
  DeviceName: 'deviceName',
  BuildVersion: 'buildVersion',
  ModelName: 'modelName',
  Model: 'model',
  ProductName: 'productName',
  SerialNumber: 'serialNumber',
  IMEI: 'imei',
  MEID: 'meid',
  ModemFirmwareVersion: 'modemFirmwareVersion',
  ICCID: 'iccid',
  BluetoothMAC: 'bluetoothMac',
  WiFiMAC: 'wifiMac',
  CurrentCarrierNetwork: 'currentCarrierNetwork',
  SubscriberCarrierNetwork: 'subscriberCarrierNetwork',
  CarrierSettingsVersion: 'carrierSettingsVersion',
  PhoneNumber: 'phoneNumber',
} as const;

/**
 * DeviceInformation answers only the queries it was asked (an admin may ask for the battery alone):
 * each answer replaces ours and the facts it did not answer stay as last reported.
 */
function applyDeviceInformation(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const answers = record(result['QueryResponses']);
  for (const [key, field] of Object.entries(DEVICE_INFORMATION_TEXT)) {
    const value = text(answers[key]);
    if (value !== undefined) d[field] = value;
  }
  setOsVersion(d, text(answers['OSVersion']), at);
  const capacity = finite(answers['DeviceCapacity']);
  if (capacity !== undefined) d.capacityGb = capacity;
  const available = finite(answers['AvailableDeviceCapacity']);
  if (available !== undefined) d.availableCapacityGb = available;
  if ('BatteryLevel' in answers) {
    // -1.0 is the device saying it does not know: no level is better than a wrong one.
    const battery = finite(answers['BatteryLevel']);
    d.batteryLevel = battery !== undefined && battery >= 0 && battery <= 1 ? battery : undefined;
  }
  const supervised = flag(answers['IsSupervised']);
  if (supervised !== undefined) d.supervised = supervised;
  const roamingBefore = [d.dataRoamingEnabled, d.voiceRoamingEnabled];
  const data = flag(answers['DataRoamingEnabled']);
  if (data !== undefined) d.dataRoamingEnabled = data;
  const voice = flag(answers['VoiceRoamingEnabled']);
  if (voice !== undefined) d.voiceRoamingEnabled = voice;
  noteChange(d, 'roaming', roamingBefore, [d.dataRoamingEnabled, d.voiceRoamingEnabled], at);
  d.informationReportedAt = at;
}

function applySecurityInfo(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const info = record(result['SecurityInfo']);
  const security: InventorySecurity = compact({
    passcodePresent: flag(info['PasscodePresent']),
    passcodeCompliant: flag(info['PasscodeCompliant']),
    passcodeCompliantWithProfiles: flag(info['PasscodeCompliantWithProfiles']),
    hardwareEncryptionCaps: finite(info['HardwareEncryptionCaps']),
    fileVaultEnabled: flag(info['FDE_Enabled']),
    reportedAt: at,
  });
  const before = d.security;
  const passcode = (s: InventorySecurity | undefined) => [s?.passcodePresent, s?.passcodeCompliant, s?.passcodeCompliantWithProfiles];
  const encryption = (s: InventorySecurity | undefined) => [s?.hardwareEncryptionCaps, s?.fileVaultEnabled];
  noteChange(d, 'passcode', passcode(before), passcode(security), at);
  noteChange(d, 'encryption', encryption(before), encryption(security), at);
  d.security = security;
}

/** A reported list replaces the last one whole (lists are sets the device reports entirely). */
function reportedList<Item>(items: Item[], result: Record<string, unknown>, at: string): ReportedList<Item> {
  return compact({ items, reportedAt: at, truncated: result['truncated'] === true ? true : undefined });
}

function applyProfileList(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const items = list(result['ProfileList']).flatMap((raw): InventoryProfile[] => {
    const p = record(raw);
    const identifier = text(p['PayloadIdentifier']);
    const uuid = text(p['PayloadUUID']);
    if (identifier === undefined || uuid === undefined) return [];
    return [compact({ identifier, uuid, displayName: text(p['PayloadDisplayName']), organization: text(p['PayloadOrganization']), managed: flag(p['IsManaged']) })];
  });
  noteChange(d, 'profiles', d.profiles?.items, items, at);
  d.profiles = reportedList(items, result, at);
  d.profileCount = items.length;
}

function applyInstalledApplicationList(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const reported = list(result['InstalledApplicationList']);
  // macOS may list an app without a bundle identifier: it is counted but cannot be listed by one.
  const items = reported.flatMap((raw): InventoryApp[] => {
    const a = record(raw);
    const identifier = text(a['Identifier']);
    if (identifier === undefined) return [];
    return [compact({ identifier, name: text(a['Name']), version: text(a['Version']), shortVersion: text(a['ShortVersion']), bundleSize: finite(a['BundleSize']) })];
  });
  noteChange(d, 'apps', d.apps?.items, items, at);
  d.apps = reportedList(items, result, at);
  d.appCount = reported.length;
}

function applyCertificateList(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const items = list(result['CertificateList']).map((raw): InventoryCertificate => {
    const c = record(raw);
    return compact({ commonName: text(c['CommonName']), isIdentity: flag(c['IsIdentity']), sha256: text(record(c['Data'])['sha256']), notAfter: text(c['notAfter']) });
  });
  noteChange(d, 'certificates', d.certificates?.items, items, at);
  d.certificates = reportedList(items, result, at);
  d.nextCertificateExpiry = items.reduce<string | undefined>((soonest, c) => earlier(soonest, c.notAfter), undefined);
}

function applyProvisioningProfileList(d: InventoryDraft, result: Record<string, unknown>, at: string): void {
  const items = list(result['ProvisioningProfileList']).flatMap((raw): InventoryProvisioningProfile[] => {
    const p = record(raw);
    const name = text(p['Name']);
    const uuid = text(p['UUID']);
    return name !== undefined && uuid !== undefined ? [compact({ name, uuid, expiresAt: text(p['ExpiryDate']) })] : [];
  });
  d.provisioningProfiles = reportedList(items, result, at);
}

/**
 * Folds one typed query result into the document. ManagedApplicationList and Restrictions have no
 * field in the inventory document: their reports only count as contact with the device.
 */
export function applyReport(d: InventoryDraft, kind: ResultKind, result: Record<string, unknown>, at: string): void {
  switch (kind) {
    case 'DeviceInformation':
      return applyDeviceInformation(d, result, at);
    case 'SecurityInfo':
      return applySecurityInfo(d, result, at);
    case 'ProfileList':
      return applyProfileList(d, result, at);
    case 'InstalledApplicationList':
      return applyInstalledApplicationList(d, result, at);
    case 'CertificateList':
      return applyCertificateList(d, result, at);
    case 'ProvisioningProfileList':
      return applyProvisioningProfileList(d, result, at);
    case 'ManagedApplicationList':
    case 'Restrictions':
      return;
  }
}
