import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { PushCertificateInfo } from '../../application/ports/push-sender.js';
import { subjectAttributes, subjectLine } from './subject-attributes.js';

const USER_ID = '0.9.2342.19200300.100.1.1';

/** The push certificate or key cannot be used; the message says what to fix. */
export class PushCertificateError extends Error {
  override readonly name = 'PushCertificateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Reads and checks the MDM push certificate before anything is sent with it: the topic comes from
 * the subject UID, and an expired certificate or a key of another certificate is refused here
 * rather than discovered as a failed TLS handshake with Apple.
 */
export function readPushCertificate(certPem: string, keyPem: string, now: Date): PushCertificateInfo {
  const certificate = parseCertificate(certPem);
  const attributes = subjectAttributes(certificate.raw);
  const subject = subjectLine(attributes);
  const topic = attributes.find((a) => a.oid === USER_ID)?.value.trim();
  if (!topic) {
    throw new PushCertificateError(
      `the push certificate (${subject}) has no subject UID (${USER_ID}): it is not an APNs MDM push certificate, whose UID is the topic (com.apple.mgmt.External.<uuid>)`,
    );
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new PushCertificateError(`the push certificate for ${topic} expired on ${notAfter.toISOString()}: renew it for the same topic at identity.apple.com`);
  }
  if (notBefore.getTime() > now.getTime()) {
    throw new PushCertificateError(`the push certificate for ${topic} is not valid before ${notBefore.toISOString()}: check the system clock`);
  }
  if (!certificate.checkPrivateKey(parseKey(keyPem))) {
    throw new PushCertificateError(`the push key does not belong to the push certificate for ${topic}: use the key the certificate request was made with`);
  }
  return {
    topic,
    subject,
    notBefore,
    notAfter,
    serialNumber: certificate.serialNumber.toLowerCase(),
    sha256: createHash('sha256').update(certificate.raw).digest('hex'),
  };
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new PushCertificateError('the push certificate is not a PEM X.509 certificate', { cause: error });
  }
}

function parseKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new PushCertificateError('the push key is not an unencrypted PEM private key (PKCS#1 or PKCS#8)', { cause: error });
  }
}
