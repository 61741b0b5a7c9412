import { createHash, X509Certificate } from 'node:crypto';
import type { PushCertificateFacts } from '../../domain/push/push-certificate.js';
import { NAME_OID } from '../pki/distinguished-name.js';
import { PushCertificateError } from './push-certificate.js';
import { subjectAttributes, subjectLine } from './subject-attributes.js';

/**
 * What a push certificate says, without judging it (an expired one still has a topic: the one its
 * renewal must keep). Throws PushCertificateError when it is no certificate or has no topic.
 */
export function pushCertificateFacts(certPem: string): PushCertificateFacts {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch (error) {
    throw new PushCertificateError('the push certificate is not an X.509 certificate', { cause: error });
  }
  const attributes = subjectAttributes(Buffer.from(certificate.raw));
  const topic = attributes.find((a) => a.oid === NAME_OID.userId)?.value.trim();
  if (!topic) throw new PushCertificateError(`the certificate (${subjectLine(attributes)}) has no subject UID: it is not an MDM push certificate`);
  return {
    topic,
    subject: subjectLine(attributes),
    serialNumber: certificate.serialNumber.toLowerCase(),
    sha256: createHash('sha256').update(certificate.raw).digest('hex'),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

/** The topic of a certificate, or undefined when it cannot be read. */
export function topicOf(certPem: string): string | undefined {
  try {
    return pushCertificateFacts(certPem).topic;
  } catch {
    return undefined;
  }
}
