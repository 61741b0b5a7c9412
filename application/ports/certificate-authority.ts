/**
 * The MDM's own certificate authority: it issues device identity certificates (SCEP, PKCS#12) and
 * the device listener's TLS certificate. Certificates cross this port as PEM/DER; no crypto
 * library's types leak into the application.
 */

export type CertificateProfile =
  /** A device's MDM identity: digitalSignature + keyEncipherment, clientAuth. */
  | 'device-identity'
  /** A server's TLS certificate: digitalSignature + keyEncipherment, serverAuth, SANs required. */
  | 'tls-server'
  /** A client's TLS certificate (a gateway, an admin tool): digitalSignature, clientAuth. */
  | 'tls-client';

export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
}

/** The subject's public key, SPKI as PEM or DER. The CA never sees the subject's private key. */
export type SubjectPublicKey = { readonly publicKeyPem: string; readonly publicKeyDer?: undefined } | { readonly publicKeyDer: Buffer; readonly publicKeyPem?: undefined };

export type CertificateRequest = SubjectPublicKey & CertificateRequestFields;

export interface CertificateRequestFields {
  readonly subject: DistinguishedName;
  readonly profile: CertificateProfile;
  readonly validityDays: number;
  /** DNS names and IP addresses (IPv4/IPv6 literals become iPAddress entries). */
  readonly subjectAltNames?: readonly string[];
  /** An http(s) URL where relying parties fetch the CA's CRL (the cRLDistributionPoints extension). */
  readonly crlDistributionPoint?: string;
}

export interface IssuedCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** Lower-case hex, no leading zeros stripped; random, at least 64 bits. */
  readonly serialNumber: string;
  readonly subject: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER, lower-case hex: how devices are bound to certificates. */
  readonly sha256: string;
}

export interface CertificateAuthority {
  /** The CA certificate, PEM. */
  certificatePem(): string;
  certificateDer(): Buffer;
  issue(request: CertificateRequest): Promise<IssuedCertificate>;
  /** True when `certificate` (PEM or DER) carries a valid signature by this CA and is within its validity at `at`. */
  verifyIssued(certificate: string | Buffer, at: Date): boolean;
}

export const CERTIFICATE_AUTHORITY = Symbol.for('mdm.CertificateAuthority');
