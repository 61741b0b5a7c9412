import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type {
  CertificateAuthority,
  CertificateRequest,
  IssuedCertificate,
} from '../../application/ports/certificate-authority.js';
import type { CrlRequest, CrlSigner } from '../../application/ports/crl-signer.js';
import { systemClock, type Clock } from '../../application/ports/clock.js';
import { validateCertificateRequest } from './certificate-request-validation.js';
import { buildCrl } from './crl.js';
import { derToPem } from './der.js';
import { nameAttributes } from './distinguished-name.js';
import { issuerIdentity, type IssuerIdentity } from './issuer-identity.js';
import { randomSerialNumber } from './serial-number.js';
import { validityWindow } from './validity.js';
import { issueCertificate } from './x509.js';

/** A CA whose certificate and RSA key are held in memory; where they are stored is someone else's concern. */
export class LocalCertificateAuthority implements CertificateAuthority, CrlSigner {
  private readonly issuer: IssuerIdentity;
  private readonly caPem: string;

  constructor(certificatePem: string, privateKey: string | KeyObject, private readonly clock: Clock = systemClock) {
    const certificate = new X509Certificate(certificatePem);
    if (!certificate.ca) throw new Error('the CA certificate lacks basicConstraints CA:TRUE');
    const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
    this.issuer = issuerIdentity(certificate, key);
    this.caPem = derToPem(certificate.raw);
  }

  certificatePem(): string {
    return this.caPem;
  }

  certificateDer(): Buffer {
    return Buffer.from(this.issuer.certificate.raw);
  }

  async issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const valid = validateCertificateRequest(request);
    const serialNumber = randomSerialNumber();
    const requested = validityWindow(this.clock.now(), valid.validityDays);
    // A certificate cannot outlive the CA that vouches for it: clients would reject the chain.
    const caNotAfter = new Date(this.issuer.certificate.validTo);
    const validity = requested.notAfter > caNotAfter ? { ...requested, notAfter: caNotAfter } : requested;
    const der = issueCertificate(
      {
        serialNumber,
        subject: nameAttributes(valid.subject),
        subjectPublicKey: valid.publicKey,
        subjectPublicKeyDer: valid.publicKeyDer,
        validity,
        profile: valid.profile,
        subjectAltNames: valid.subjectAltNames,
        ...(valid.crlDistributionPoint !== undefined ? { crlDistributionPoint: valid.crlDistributionPoint } : {}),
      },
      this.issuer,
    );
    return {
      pem: derToPem(der),
      der,
      serialNumber,
      subject: valid.subject,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      sha256: createHash('sha256').update(der).digest('hex'),
    };
  }

  signCrl(request: CrlRequest): Buffer {
    return buildCrl(request, this.issuer);
  }

  verifyIssued(certificate: string | Buffer, at: Date): boolean {
    try {
      const x509 = new X509Certificate(certificate);
      // checkIssued compares the issuer Name and the key identifiers; verify checks the signature.
      if (!x509.checkIssued(this.issuer.certificate)) return false;
      if (!x509.verify(this.issuer.certificate.publicKey)) return false;
      const time = at.getTime();
      return Date.parse(x509.validFrom) <= time && time <= Date.parse(x509.validTo);
    } catch {
      return false;
    }
  }
}
