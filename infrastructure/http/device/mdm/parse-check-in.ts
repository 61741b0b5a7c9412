import type { CheckInMessage } from '../../../../application/mdm/messages.js';
import { UNSUPPORTED_MESSAGE_TYPES } from '../../../../application/mdm/messages.js';
import type { DeviceFacts } from '../../../../domain/device/device-facts.js';
import { asDict, getData, getOptionalBool, getOptionalData, getOptionalString, getString, type PlistDict } from '../../../plist/index.js';

/** A check-in body that is a well-formed plist but not a message this server can act on. */
export class CheckInShapeError extends Error {
  override readonly name = 'CheckInShapeError';
}

const MAX_FIELD = 256;
const UDID = /^[A-Za-z0-9-]{8,64}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;

function bounded(dict: PlistDict, key: string): string | undefined {
  const v = getOptionalString(dict, key);
  if (v !== undefined && v.length > MAX_FIELD) throw new CheckInShapeError(`${key} is longer than ${MAX_FIELD} characters`);
  return v;
}

function udidOf(dict: PlistDict): string {
  const udid = getOptionalString(dict, 'UDID');
  if (udid === undefined) {
    // User Enrollment identifies devices by EnrollmentID; this server enrolls devices by UDID.
    if (getOptionalString(dict, 'EnrollmentID') !== undefined) throw new CheckInShapeError('User Enrollment (EnrollmentID without UDID) is not supported');
    throw new CheckInShapeError('UDID is missing');
  }
  if (!UDID.test(udid)) throw new CheckInShapeError('UDID is not a device identifier');
  return udid;
}

function topicOf(dict: PlistDict): string {
  const topic = getString(dict, 'Topic');
  if (!TOPIC.test(topic)) throw new CheckInShapeError('Topic is not a push topic');
  return topic;
}

function factsOf(dict: PlistDict): DeviceFacts {
  const facts: Record<string, string> = {};
  const keys: Array<[string, keyof DeviceFacts]> = [
    ['SerialNumber', 'serialNumber'], ['Model', 'model'], ['ModelName', 'modelName'], ['ProductName', 'productName'],
    ['OSVersion', 'osVersion'], ['BuildVersion', 'buildVersion'], ['DeviceName', 'deviceName'], ['IMEI', 'imei'], ['MEID', 'meid'],
  ];
  for (const [apple, ours] of keys) {
    const v = bounded(dict, apple);
    if (v !== undefined) facts[ours] = v;
  }
  return facts;
}

/**
 * Turns a parsed check-in plist into a message. Shape errors (PlistShapeError from the accessors,
 * CheckInShapeError here) are the device's fault: the endpoint answers 400 and records nothing.
 */
export function parseCheckIn(value: unknown): CheckInMessage {
  const dict = asDict(value, 'check-in');
  const messageType = getString(dict, 'MessageType');
  switch (messageType) {
    case 'Authenticate':
      return { messageType, udid: udidOf(dict), topic: topicOf(dict), facts: factsOf(dict) };
    case 'TokenUpdate': {
      const udid = udidOf(dict);
      // The user channel (macOS) carries UserID; this server manages the device channel only.
      if (getOptionalString(dict, 'UserID') !== undefined) return { messageType: 'UserAuthenticate', udid };
      const token = getData(dict, 'Token');
      if (token.length === 0 || token.length > 256) throw new CheckInShapeError('Token must be 1 to 256 bytes');
      const pushMagic = getString(dict, 'PushMagic');
      if (pushMagic.length === 0 || pushMagic.length > MAX_FIELD) throw new CheckInShapeError('PushMagic must be 1 to 256 characters');
      const unlockToken = getOptionalData(dict, 'UnlockToken');
      if (unlockToken !== undefined && unlockToken.length > 16_384) throw new CheckInShapeError('UnlockToken is too large');
      const awaiting = getOptionalBool(dict, 'AwaitingConfiguration');
      return {
        messageType, udid, topic: topicOf(dict), token, pushMagic,
        ...(unlockToken && unlockToken.length > 0 ? { unlockToken } : {}),
        ...(awaiting !== undefined ? { awaitingConfiguration: awaiting } : {}),
      };
    }
    case 'CheckOut':
      return { messageType, udid: udidOf(dict), topic: topicOf(dict) };
    default:
      if ((UNSUPPORTED_MESSAGE_TYPES as readonly string[]).includes(messageType)) {
        return { messageType: messageType as (typeof UNSUPPORTED_MESSAGE_TYPES)[number], udid: getOptionalString(dict, 'UDID') ?? '' };
      }
      throw new CheckInShapeError(`unknown MessageType ${JSON.stringify(messageType.slice(0, 64))}`);
  }
}
