import apn from '@parse/node-apn';
import type { MdmPush } from '../../application/ports/push-sender.js';

/**
 * An MDM wake-up as APNs expects it: `apns-push-type: mdm`, the certificate's topic, priority 10,
 * an explicit expiration (0 means "deliver now or drop", and without the header how long APNs keeps
 * it is up to Apple: either loses pushes to devices that are briefly offline), and a body that is
 * exactly `{"mdm":"<PushMagic>"}` with no `aps`.
 */
export function mdmNotification(push: MdmPush, expiresAtEpochSeconds: number): apn.Notification {
  const notification = new apn.Notification();
  notification.topic = push.topic;
  notification.pushType = 'mdm';
  notification.priority = 10;
  notification.expiry = expiresAtEpochSeconds;
  // rawPayload is sent as is: none of node-apn's aps handling applies.
  notification.rawPayload = { mdm: push.pushMagic };
  return notification;
}
