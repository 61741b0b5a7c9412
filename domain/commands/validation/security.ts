import type { ClearPasscodeRequest, DeviceLockRequest, EraseDeviceRequest, ObliterationBehavior, ReturnToService } from '../command-request.js';
import { COMMAND_LIMITS } from '../limits.js';
import { compact, InputObject, readBoolean, readOneOf } from './read.js';
import { readBlobRef, readSealedRef } from './refs.js';
import { PATTERNS } from './text.js';

const OBLITERATION_BEHAVIORS: readonly ObliterationBehavior[] = ['Default', 'DoNotObliterate', 'ObliterateWithWarning', 'Always'];

function readReturnToService(value: unknown, path: string): ReturnToService {
  const input = InputObject.read(value, path, ['Enabled', 'WiFiProfileData', 'MDMProfileData']);
  return compact({
    Enabled: input.need('Enabled', readBoolean),
    WiFiProfileData: input.take('WiFiProfileData', readBlobRef),
    MDMProfileData: input.take('MDMProfileData', readBlobRef),
  });
}

export const readEraseDevice = (input: InputObject): EraseDeviceRequest =>
  compact({
    requestType: 'EraseDevice' as const,
    PIN: input.take('PIN', readSealedRef),
    PreserveDataPlan: input.boolean('PreserveDataPlan'),
    DisallowProximitySetup: input.boolean('DisallowProximitySetup'),
    ObliterationBehavior: input.take('ObliterationBehavior', (v, p) => readOneOf(v, p, OBLITERATION_BEHAVIORS)),
    ReturnToService: input.take('ReturnToService', readReturnToService),
  });

export const readDeviceLock = (input: InputObject): DeviceLockRequest =>
  compact({
    requestType: 'DeviceLock' as const,
    Message: input.text('Message', { max: COMMAND_LIMITS.textLength, multiline: true }),
    PhoneNumber: input.text('PhoneNumber', { max: 32, pattern: PATTERNS.phoneNumber, what: 'a phone number (digits, spaces, + ( ) . / -)' }),
    PIN: input.take('PIN', readSealedRef),
  });

export const readClearPasscode = (input: InputObject): ClearPasscodeRequest => ({
  requestType: 'ClearPasscode',
  UnlockToken: input.need('UnlockToken', readSealedRef),
});
