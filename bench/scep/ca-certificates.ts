import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/**
 * The certificate a client encrypts its pkiMessage to, from a GetCACert answer: a single DER
 * certificate (scepserver, no RA), or a certs-only PKCS#7 of CA and RA (ours), where the RA is the
 * certificate that is not a CA.
 */
export function recipientCertificate(body: Buffer): { recipientPem: string; certificates: readonly X509Certificate[] } {
  const certificates = readCertificates(body);
  const recipient = certificates.length === 1 ? certificates[0]! : certificates.find((c) => !c.ca) ?? certificates.find((c) => c.subject !== c.issuer);
  if (!recipient) throw new Error(`GetCACert returned ${certificates.length} certificates and none is an RA`);
  return { recipientPem: recipient.toString(), certificates };
}

function readCertificates(body: Buffer): X509Certificate[] {
  try {
    return [new X509Certificate(body)];
  } catch {
    const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(body.toString('binary'))) as forge.pkcs7.PkcsSignedData;
    return p7.certificates.map((c) => new X509Certificate(forge.pki.certificateToPem(c)));
  }
}

/** RSA modulus size of a certificate's key, for the report. */
export const keyBits = (certificate: X509Certificate): number => certificate.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
