import type { MdmPush, PushOutcome } from '../../application/ports/push-sender.js';

// Device tokens have been 32 bytes; Apple says they may grow, so allow up to 200 bytes of hex.
const HEX_TOKEN = /^(?:[0-9a-fA-F]{2}){8,200}$/;
// PushMagic is a UUID in practice; it is echoed verbatim into the JSON body.
const PUSH_MAGIC = /^[\x21-\x7e]{1,256}$/;

/**
 * The fields of a push come from a device's TokenUpdate, so they are checked before they become a
 * URL path and a body. Returns the outcome of a push that must not be sent, or undefined.
 */
export function refusedPush(push: MdmPush, certificateTopic: string): PushOutcome | undefined {
  const udid = typeof push.udid === 'string' ? push.udid : String(push.udid);
  if (typeof push.pushToken !== 'string' || !HEX_TOKEN.test(push.pushToken)) {
    return { kind: 'bad-device-token', udid, reason: 'MalformedDeviceToken' };
  }
  if (typeof push.pushMagic !== 'string' || !PUSH_MAGIC.test(push.pushMagic)) {
    return { kind: 'bad-device-token', udid, reason: 'MalformedPushMagic' };
  }
  if (push.topic !== certificateTopic) {
    // The device enrolled under another push certificate's topic: APNs would refuse it
    // (DeviceTokenNotForTopic). A renewed certificate must keep the topic.
    return { kind: 'configuration-fault', udid, reason: 'TopicNotInCertificate' };
  }
  return undefined;
}
