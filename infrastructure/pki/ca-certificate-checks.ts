import type { KeyObject, X509Certificate } from 'node:crypto';
import { extensionValue } from './certificate-fields.js';
import forge from 'node-forge';
import { children, parseDer, primitiveBytes } from './der.js';

/** A certificate that cannot serve as the MDM CA; the message says why and what to do. */
export class CaCertificateError extends Error {
  override readonly name = 'CaCertificateError';
}

const KEY_USAGE = '2.5.29.15';
const BASIC_CONSTRAINTS = '2.5.29.19';
// KeyUsage bit 5 (RFC 5280 §4.2.1.3), counted from the most significant bit of the first octet.
const KEY_CERT_SIGN = 0x80 >> 5;

/**
 * What a certificate must be before it becomes the CA every device identity is issued by: valid
 * now, a CA (basicConstraints cA=true), allowed to sign certificates (keyCertSign, when keyUsage is
 * present at all), and paired with the key given. Anything else would issue identities that
 * devices and the server itself refuse, or none at all.
 */
export function checkCaCertificate(certificate: X509Certificate, privateKey: KeyObject, now: Date): void {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new CaCertificateError(`the certificate expired on ${notAfter.toISOString()}: a CA must be valid to issue device identities`);
  }
  if (notBefore.getTime() > now.getTime()) {
    throw new CaCertificateError(`the certificate is not valid before ${notBefore.toISOString()}: check the system clock, or import it once it is valid`);
  }
  const der = Buffer.from(certificate.raw);
  // Read from the extension itself: X509Certificate.ca also says false for a CA whose keyUsage
  // lacks keyCertSign, which deserves its own message.
  if (!isCa(der)) throw new CaCertificateError('the certificate is not a CA certificate (basicConstraints CA:TRUE is missing)');
  const keyUsage = keyUsageBits(der);
  if (keyUsage !== undefined && ((keyUsage[0] ?? 0) & KEY_CERT_SIGN) === 0) {
    throw new CaCertificateError('the certificate may not sign certificates (its keyUsage lacks keyCertSign)');
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new CaCertificateError('the private key does not belong to the certificate');
}

/** basicConstraints (RFC 5280 §4.2.1.9): SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint OPTIONAL }. */
function isCa(certDer: Buffer): boolean {
  const value = extensionValue(certDer, BASIC_CONSTRAINTS);
  if (!value) return false;
  try {
    const first = children(parseDer(value))[0];
    return first?.tagClass === forge.asn1.Class.UNIVERSAL && first.type === forge.asn1.Type.BOOLEAN && primitiveBytes(first)[0] !== 0;
  } catch (error) {
    throw new CaCertificateError('the certificate has an unreadable basicConstraints extension', { cause: error });
  }
}

/** The keyUsage BIT STRING's octets (without the unused-bits octet), or undefined when absent. */
function keyUsageBits(certDer: Buffer): Buffer | undefined {
  const value = extensionValue(certDer, KEY_USAGE);
  if (!value) return undefined;
  try {
    return primitiveBytes(parseDer(value)).subarray(1);
  } catch (error) {
    throw new CaCertificateError('the certificate has an unreadable keyUsage extension', { cause: error });
  }
}
