import type { JsonObject } from '../../shared/json.js';
import { otherEntries } from './bounded-json.js';
import { parseDictionary, type ParseContext } from './parse-shape.js';
import { boolean, dictionary, real, text, type DictionaryShape } from './shape.js';

/** The DeviceInformation answers we type; answers to any other query land in `other`. */
export type DeviceInformation = {
  readonly UDID?: string;
  readonly DeviceName?: string;
  readonly OSVersion?: string;
  readonly BuildVersion?: string;
  readonly ModelName?: string;
  readonly Model?: string;
  readonly ProductName?: string;
  readonly SerialNumber?: string;
  /** Gigabytes. */
  readonly DeviceCapacity?: number;
  readonly AvailableDeviceCapacity?: number;
  /** 0.0 to 1.0; -1.0 when unknown. */
  readonly BatteryLevel?: number;
  readonly IMEI?: string;
  readonly MEID?: string;
  readonly ModemFirmwareVersion?: string;
  readonly IsSupervised?: boolean;
  readonly ICCID?: string;
  readonly BluetoothMAC?: string;
  readonly WiFiMAC?: string;
  readonly CurrentCarrierNetwork?: string;
  readonly SubscriberCarrierNetwork?: string;
  readonly CarrierSettingsVersion?: string;
  readonly PhoneNumber?: string;
  readonly DataRoamingEnabled?: boolean;
  readonly VoiceRoamingEnabled?: boolean;
  /** Other answers as the device sent them (JSON-safe), bounded in number and size. */
  readonly other?: JsonObject;
};

export type DeviceInformationResult = { readonly requestType: 'DeviceInformation'; readonly QueryResponses: DeviceInformation; readonly truncated?: true };

const short = text(256);

export const QUERY_RESPONSES_SHAPE: DictionaryShape = dictionary({
  UDID: short,
  DeviceName: short,
  OSVersion: short,
  BuildVersion: short,
  ModelName: short,
  Model: short,
  ProductName: short,
  SerialNumber: short,
  DeviceCapacity: real,
  AvailableDeviceCapacity: real,
  BatteryLevel: real,
  IMEI: short,
  MEID: short,
  ModemFirmwareVersion: short,
  IsSupervised: boolean,
  ICCID: short,
  BluetoothMAC: short,
  WiFiMAC: short,
  CurrentCarrierNetwork: short,
  SubscriberCarrierNetwork: short,
  CarrierSettingsVersion: short,
  PhoneNumber: short,
  DataRoamingEnabled: boolean,
  VoiceRoamingEnabled: boolean,
});

export const DEVICE_INFORMATION_REPORT: DictionaryShape = dictionary({ QueryResponses: QUERY_RESPONSES_SHAPE }, ['QueryResponses']);

const TYPED = new Set(Object.keys(QUERY_RESPONSES_SHAPE.fields));
const MAX_OTHER_ENTRIES = 64;
const MAX_OTHER_CHARS = 2048;

export function parseDeviceInformation(report: Record<string, unknown>, ctx: ParseContext): DeviceInformation | undefined {
  const responses = report['QueryResponses'];
  const typed = parseDictionary(QUERY_RESPONSES_SHAPE, responses, ctx);
  if (typed === undefined) return undefined;
  const { entries, truncated } = otherEntries(responses as Record<string, unknown>, TYPED, MAX_OTHER_ENTRIES, MAX_OTHER_CHARS);
  if (truncated) ctx.truncated = true;
  return Object.keys(entries).length > 0 ? { ...typed, other: entries } : typed;
}
