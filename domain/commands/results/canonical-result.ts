import type { JsonObject } from '../../shared/json.js';
import { canonicalJson } from './canonical.js';
import type { CommandResult } from './command-result.js';

/**
 * Values that change on nearly every report (battery, free space, app data sizes). A fingerprint that
 * leaves them out keeps an unchanged inventory from being recorded again just because time passed.
 */
export const VOLATILE_RESULT_KEYS = Object.freeze({
  DeviceInformation: ['BatteryLevel', 'AvailableDeviceCapacity'],
  InstalledApplicationList: ['DynamicSize'],
} as const);

function withoutVolatile(result: CommandResult): CommandResult {
  const omit = (o: JsonObject, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
  switch (result.requestType) {
    case 'DeviceInformation':
      return { ...result, QueryResponses: omit(result.QueryResponses as JsonObject, VOLATILE_RESULT_KEYS.DeviceInformation) };
    case 'InstalledApplicationList':
      return { ...result, InstalledApplicationList: result.InstalledApplicationList.map((app) => omit(app as JsonObject, VOLATILE_RESULT_KEYS.InstalledApplicationList)) };
    default:
      return result;
  }
}

/**
 * The result as canonical JSON (keys sorted at every level; lists are already sorted by the parser):
 * hash it to tell whether a report changed anything. With `excludeVolatile`, the values in
 * VOLATILE_RESULT_KEYS do not count.
 */
export function canonicalResult(result: CommandResult, options: { excludeVolatile?: boolean } = {}): string {
  return canonicalJson((options.excludeVolatile ? withoutVolatile(result) : result) as unknown as JsonObject);
}
