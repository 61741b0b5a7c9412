import { createPublicKey, type KeyObject } from 'node:crypto';
import type {
  CertificateProfile,
  CertificateRequest,
  DistinguishedName,
} from '../../application/ports/certificate-authority.js';
import { CertificateRequestError } from './certificate-request-error.js';
import { parseSubjectAltName, subjectAltNameKey, type SubjectAltName } from './subject-alt-names.js';

export interface ValidatedRequest {
  readonly publicKey: KeyObject;
  /** The key's SPKI, re-encoded by OpenSSL (canonical DER whatever the caller sent). */
  readonly publicKeyDer: Buffer;
  readonly subject: DistinguishedName;
  readonly profile: CertificateProfile;
  readonly validityDays: number;
  readonly subjectAltNames: readonly SubjectAltName[];
  readonly crlDistributionPoint?: string;
}

const PROFILES: readonly CertificateProfile[] = ['device-identity', 'tls-server', 'tls-client'];
const MAX_VALIDITY_DAYS = 3650;
// X.520 upper bounds, which strict parsers enforce.
const MAX_NAME_LENGTH = 64;
const ACCEPTED_CURVES = ['prime256v1', 'secp384r1'];

/** Checks a request from outside (SCEP, admin API) before anything is signed. */
export function validateCertificateRequest(request: CertificateRequest): ValidatedRequest {
  if (!PROFILES.includes(request.profile)) fail(`unknown certificate profile "${String(request.profile)}"`);
  const { validityDays } = request;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    fail(`validityDays must be an integer from 1 to ${MAX_VALIDITY_DAYS}`);
  }
  const subjectAltNames = validateSubjectAltNames(request.subjectAltNames ?? []);
  if (request.profile === 'tls-server' && subjectAltNames.length === 0) {
    fail('a tls-server certificate needs at least one subjectAltName');
  }
  const publicKey = request.publicKeyDer !== undefined ? validatePublicKeyDer(request.publicKeyDer) : validatePublicKey(request.publicKeyPem);
  return {
    publicKey,
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }),
    subject: validateSubject(request.subject),
    profile: request.profile,
    validityDays,
    subjectAltNames,
    ...(request.crlDistributionPoint !== undefined ? { crlDistributionPoint: validateDistributionPoint(request.crlDistributionPoint) } : {}),
  };
}

// An IA5String in the certificate: printable ASCII only.
function validateDistributionPoint(url: string): string {
  if (typeof url !== 'string' || url.length > 1024 || !/^https?:\/\/[\x21-\x7e]+$/.test(url)) fail('crlDistributionPoint must be an http(s) URL of printable ASCII');
  return url;
}

function validateSubject(subject: DistinguishedName): DistinguishedName {
  const commonName = typeof subject?.commonName === 'string' ? subject.commonName.trim() : '';
  if (!commonName) fail('subject.commonName must not be empty');
  for (const [field, value] of Object.entries({ ...subject, commonName })) {
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_NAME_LENGTH)) {
      fail(`subject.${field} must be a string of at most ${MAX_NAME_LENGTH} characters`);
    }
  }
  if (subject.country !== undefined && !/^[A-Z]{2}$/.test(subject.country)) {
    fail('subject.country must be a two-letter ISO 3166 code');
  }
  return { ...subject, commonName };
}

function validatePublicKey(pem: string): KeyObject {
  // createPublicKey() would happily derive a public key from a private one; the CA must never
  // be handed a subject's private key, so anything but an SPKI block is refused.
  if (typeof pem !== 'string' || !/^\s*-----BEGIN PUBLIC KEY-----/.test(pem)) {
    fail('publicKeyPem must be an SPKI PEM ("BEGIN PUBLIC KEY")');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    fail('publicKeyPem does not parse as a public key');
  }
  return acceptableKey(key);
}

function validatePublicKeyDer(der: Buffer): KeyObject {
  if (!Buffer.isBuffer(der)) fail('publicKeyDer must be bytes');
  let key: KeyObject;
  try {
    // type 'spki': a private key in DER is refused here, never turned into its public half.
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    fail('publicKeyDer does not parse as an SPKI public key');
  }
  return acceptableKey(key);
}

function acceptableKey(key: KeyObject): KeyObject {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048) return key;
  if (key.asymmetricKeyType === 'ec' && ACCEPTED_CURVES.includes(details.namedCurve ?? '')) return key;
  return fail('the public key must be RSA of at least 2048 bits or EC P-256/P-384');
}

function validateSubjectAltNames(entries: readonly string[]): SubjectAltName[] {
  const byKey = new Map<string, SubjectAltName>();
  for (const entry of entries) {
    const san = typeof entry === 'string' ? parseSubjectAltName(entry.trim()) : undefined;
    if (!san) fail(`subjectAltName "${String(entry)}" is neither a DNS name nor an IP address`);
    byKey.set(subjectAltNameKey(san), san);
  }
  return [...byKey.values()];
}

function fail(message: string): never {
  throw new CertificateRequestError(message);
}
