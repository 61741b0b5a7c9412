import { randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { derToPem } from '../../infrastructure/pki/der.js';
import { NAME_OID } from '../../infrastructure/pki/distinguished-name.js';
import { issuerIdentity } from '../../infrastructure/pki/issuer-identity.js';
import { randomSerialNumber } from '../../infrastructure/pki/serial-number.js';
import { validityWindow, type ValidityWindow } from '../../infrastructure/pki/validity.js';
import { issueCertificate } from '../../infrastructure/pki/x509.js';
import { parseCertificationRequest } from '../../infrastructure/scep/certification-request.js';
import { addExtensions, APNS_DEVELOPMENT_OID, APNS_PRODUCTION_OID } from '../apns/apns-certificate-fixture.js';
import type { TestCa } from '../support/pki.js';

export const topicFor = (uuid: string = randomUUID()): string => `com.apple.mgmt.External.${uuid}`;

/** The public key a PEM certificate request asks a certificate for (its self-signature checked). */
export function csrPublicKey(csrPem: string): KeyObject {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return parseCertificationRequest(der).publicKey;
}

export const pendingRequestKey = (dataDir: string): string => join(dataDir, 'push', 'pending.key');

/**
 * What Apple's portal would answer to a request: a push certificate for `publicKey` with subject
 * UID = topic and the APNs environment extensions, issued by a test CA standing in for Apple.
 */
export function pushCertificateFor(apple: TestCa, publicKey: KeyObject, topic: string, validity: ValidityWindow = validityWindow(new Date(), 365)): string {
  const uuid = topic.replace(/^com\.apple\.mgmt\.External\./, '');
  const der = issueCertificate(
    {
      serialNumber: randomSerialNumber(),
      subject: [
        { oid: NAME_OID.userId, value: topic },
        { oid: NAME_OID.commonName, value: `APSP:${uuid}` },
        { oid: NAME_OID.country, value: 'US' },
      ],
      subjectPublicKey: publicKey,
      validity,
      profile: 'tls-client',
    },
    issuerIdentity(new X509Certificate(apple.certPem), apple.privateKey),
  );
  return derToPem(addExtensions(der, [APNS_DEVELOPMENT_OID, APNS_PRODUCTION_OID], apple));
}

export const fileText = (path: string): string => readFileSync(path, 'utf8');
