import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApnsPushCertificate } from '../apns/apns-certificate-fixture.js';
import { ApnsStandIn } from './apns-standin.js';
import { createTestCa, issueServerCertificate } from './pki.js';

/**
 * An APNs stand-in with its own CA, and a push certificate for it written into `dir` as
 * push.pem / push.key, with the stand-in's CA as apns-ca.pem: what a full-server test points
 * MDM_PUSH_CERT_FILE, MDM_PUSH_KEY_FILE and MDM_APNS_CA_FILE at.
 */
export async function startApnsWithPushFiles(dir: string): Promise<{ apns: ApnsStandIn; topic: string }> {
  const apnsCa = await createTestCa('APNs stand-in CA');
  const apnsServer = await issueServerCertificate(apnsCa, ['127.0.0.1', 'localhost']);
  const push = await createApnsPushCertificate(apnsCa);
  const apns = await ApnsStandIn.start({ certPem: apnsServer.certPem, keyPem: apnsServer.keyPem, clientCaPem: apnsCa.certPem });
  writeFileSync(join(dir, 'push.pem'), push.certPem);
  writeFileSync(join(dir, 'push.key'), push.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'apns-ca.pem'), apnsCa.certPem);
  return { apns, topic: push.topic };
}
