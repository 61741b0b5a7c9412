import type { ComplianceRule } from '../domain/compliance-policy/rules.js';
import { osVersionKey, type FactsChangedAt, type InventoryDocument, type ReportedList } from './inventory-document.js';

/**
 * One rule against one device at one moment. Pure: the time comes in as `now`, the facts from the
 * inventory document. A rule that passes yields no finding.
 */
export type Finding =
  /** `since`: epoch milliseconds from which the rule fails, before the policy's own start is applied. */
  | { readonly status: 'non-compliant'; readonly message: string; readonly since: number }
  /** The device has not reported what the rule needs (or reported it cut short). */
  | { readonly status: 'unknown'; readonly message: string };

export const DAY_MS = 86_400_000;

const unknown = (message: string): Finding => ({ status: 'unknown', message });

/** Epoch milliseconds of an ISO time; NaN when absent or unreadable. */
const ms = (time: string | undefined): number => (time === undefined ? Number.NaN : Date.parse(time));

/** The latest readable time among these; NaN when none is. */
export function latest(...times: number[]): number {
  const readable = times.filter((t) => !Number.isNaN(t));
  return readable.length === 0 ? Number.NaN : Math.max(...readable);
}

/** When a fact took its current value; the report that carried it when the inventory does not say. */
const factTime = (device: InventoryDocument, fact: keyof FactsChangedAt, reportedAt: string | undefined): number =>
  ms(device.factsChangedAt[fact] ?? reportedAt ?? device.firstSeenAt);

const failing = (message: string, since: number): Finding => ({ status: 'non-compliant', message, since });

const day = (time: number): string => new Date(time).toISOString().slice(0, 10);

function encryptionName(caps: number): string {
  switch (caps & 3) {
    case 1:
      return 'block-level';
    case 2:
      return 'file-level';
    case 3:
      return 'block- and file-level';
    default:
      return 'none';
  }
}

/** Macs report FileVault rather than HardwareEncryptionCaps. */
const isMac = (device: InventoryDocument): boolean =>
  device.security?.fileVaultEnabled !== undefined || /^i?Mac/.test(device.productName ?? device.model ?? '');

function listedIdentifiers<Item>(
  list: ReportedList<Item> | undefined,
  identifierOf: (item: Item) => string,
): { readonly present: ReadonlySet<string>; readonly truncated: boolean } | undefined {
  return list && { present: new Set(list.items.map(identifierOf)), truncated: list.truncated === true };
}

function requiredIdentifiers(what: 'profile' | 'app', list: ReturnType<typeof listedIdentifiers>, identifiers: readonly string[], since: number, missing: string): Finding[] {
  if (!list) return [unknown(`installed ${what}s not reported yet`)];
  return identifiers
    .filter((id) => !list.present.has(id))
    .map((id) => (list.truncated ? unknown(`${what} list was cut short: cannot tell whether ${id} is installed`) : failing(`${what} ${id} ${missing}`, since)));
}

export function checkRule(rule: ComplianceRule, device: InventoryDocument, now: number): Finding[] {
  switch (rule.type) {
    case 'passcode-required': {
      const present = device.security?.passcodePresent;
      if (present === undefined) return [unknown('passcode not reported yet')];
      return present ? [] : [failing('passcode not set', factTime(device, 'passcode', device.security?.reportedAt))];
    }
    case 'hardware-encryption': {
      const since = factTime(device, 'encryption', device.security?.reportedAt);
      if (isMac(device)) {
        const fileVault = device.security?.fileVaultEnabled;
        if (fileVault === undefined) return [unknown('FileVault not reported yet')];
        return fileVault ? [] : [failing('FileVault is off', since)];
      }
      const caps = device.security?.hardwareEncryptionCaps;
      if (caps === undefined) return [unknown('encryption not reported yet')];
      if ((caps & rule.caps) === rule.caps) return [];
      return [failing((caps & 3) === 0 ? 'storage not encrypted' : `encryption ${encryptionName(caps)}, ${encryptionName(rule.caps)} required`, since)];
    }
    case 'minimum-os-version': {
      const version = device.osVersion;
      if (version === undefined) return [unknown('OS version not reported yet')];
      const key = osVersionKey(version);
      if (key === undefined) return [unknown(`OS version ${version} cannot be compared`)];
      return key < osVersionKey(rule.version)! ? [failing(`OS ${version} is below the minimum ${rule.version}`, factTime(device, 'osVersion', device.informationReportedAt))] : [];
    }
    case 'required-profiles':
      return requiredIdentifiers('profile', listedIdentifiers(device.profiles, (p) => p.identifier), rule.identifiers, factTime(device, 'profiles', device.profiles?.reportedAt), 'missing');
    case 'forbidden-profiles': {
      const list = listedIdentifiers(device.profiles, (p) => p.identifier);
      if (!list) return [unknown('installed profiles not reported yet')];
      const since = factTime(device, 'profiles', device.profiles?.reportedAt);
      return rule.identifiers.flatMap((id): Finding[] => {
        if (list.present.has(id)) return [failing(`forbidden profile ${id} installed`, since)];
        return list.truncated ? [unknown(`profile list was cut short: cannot tell whether ${id} is installed`)] : [];
      });
    }
    case 'required-apps':
      return requiredIdentifiers('app', listedIdentifiers(device.apps, (a) => a.identifier), rule.identifiers, factTime(device, 'apps', device.apps?.reportedAt), 'not installed');
    case 'maximum-days-since-seen': {
      const seen = ms(device.lastSeenAt);
      if (Number.isNaN(seen)) return [unknown('last contact time unreadable')];
      const elapsed = now - seen;
      if (elapsed <= rule.days * DAY_MS) return [];
      const days = Math.floor(elapsed / DAY_MS);
      return [failing(`last seen ${days > rule.days ? days : `over ${rule.days}`} days ago (limit ${rule.days})`, seen + rule.days * DAY_MS)];
    }
    case 'certificates-expiring': {
      const list = device.certificates;
      if (!list) return [unknown('certificates not reported yet')];
      const reported = factTime(device, 'certificates', list.reportedAt);
      const findings = list.items.flatMap((certificate): Finding[] => {
        const notAfter = ms(certificate.notAfter);
        if (Number.isNaN(notAfter)) return [];
        const from = notAfter - rule.withinDays * DAY_MS;
        if (now < from) return [];
        const name = certificate.commonName ?? (certificate.sha256 ? certificate.sha256.slice(0, 12) : 'without a name');
        const message = notAfter <= now ? `certificate ${name} expired on ${day(notAfter)}` : `certificate ${name} expires on ${day(notAfter)} (within ${rule.withinDays} days)`;
        // Not before the device reported the certificate: it may have arrived already close to its end.
        return [failing(message, latest(from, reported))];
      });
      if (findings.length === 0 && list.truncated === true) return [unknown('certificate list was cut short: cannot tell whether one expires soon')];
      return findings;
    }
    case 'roaming-off': {
      const roamingReported = device.dataRoamingEnabled !== undefined || device.voiceRoamingEnabled !== undefined;
      // Without roaming settings, only a device that reported its information and shows no cellular
      // radio (no IMEI, MEID, ICCID or modem firmware) passes: a phone whose reports never carried
      // the roaming answers is not known to have roaming off.
      const cellular = device.imei !== undefined || device.meid !== undefined || device.iccid !== undefined || device.modemFirmwareVersion !== undefined;
      if (!roamingReported && (device.informationReportedAt === undefined || cellular)) return [unknown('roaming not reported yet')];
      const since = factTime(device, 'roaming', device.informationReportedAt);
      return [
        ...(rule.data && device.dataRoamingEnabled === true ? [failing('data roaming on', since)] : []),
        ...(rule.voice && device.voiceRoamingEnabled === true ? [failing('voice roaming on', since)] : []),
      ];
    }
  }
}
