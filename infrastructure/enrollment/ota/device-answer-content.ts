import type { DeviceAttributes } from '../../../domain/enrollment/enrollment.js';
import { isPlistDict, parsePlist, type PlistDict } from '../../plist/index.js';

/** The attributes the Profile Service payload asks for (Apple's names). */
export const REQUESTED_DEVICE_ATTRIBUTES = ['UDID', 'VERSION', 'PRODUCT', 'SERIAL', 'IMEI', 'MEID', 'DEVICE_NAME'] as const;

export interface DeviceAnswerContent {
  readonly attributes: DeviceAttributes;
  readonly challenge?: string;
}

export class DeviceAnswerContentError extends Error {
  override readonly name = 'DeviceAnswerContentError';
}

const UDID = /^[A-Za-z0-9-]{8,64}$/;
const OPTIONAL: readonly [keyof Omit<DeviceAttributes, 'udid'>, string][] = [
  ['version', 'VERSION'], ['product', 'PRODUCT'], ['serialNumber', 'SERIAL'], ['imei', 'IMEI'], ['meid', 'MEID'], ['deviceName', 'DEVICE_NAME'],
];

/**
 * The property list inside a device's signed answer: the attributes it was asked for and the
 * challenge. Keys the device adds on its own are ignored; the ones we keep are bounded printable
 * strings. Throws DeviceAnswerContentError (our words only) for anything else.
 */
export function parseDeviceAnswerContent(content: Buffer): DeviceAnswerContent {
  let dict: PlistDict;
  try {
    const value = parsePlist(content, { maxDepth: 4, maxNodes: 1_000 });
    if (!isPlistDict(value)) throw new DeviceAnswerContentError('the answer is not a dictionary');
    dict = value;
  } catch (error) {
    throw error instanceof DeviceAnswerContentError ? error : new DeviceAnswerContentError('the answer is not a property list');
  }
  const udid = text(dict, 'UDID');
  if (udid === undefined || !UDID.test(udid)) throw new DeviceAnswerContentError('UDID is missing or not a device identifier');
  const attributes: Record<string, string> = { udid };
  for (const [field, key] of OPTIONAL) {
    const value = text(dict, key);
    if (value !== undefined && value !== '') attributes[field] = value;
  }
  const challenge = text(dict, 'CHALLENGE');
  return { attributes: attributes as unknown as DeviceAttributes, ...(challenge !== undefined ? { challenge } : {}) };
}

function text(dict: PlistDict, key: string): string | undefined {
  const value = dict[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 256 || /[\p{Cc}]/u.test(value)) throw new DeviceAnswerContentError(`${key} is not a short printable string`);
  return value;
}
