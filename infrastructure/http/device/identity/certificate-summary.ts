import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { subjectNameDer } from '../../../pki/certificate-fields.js';
import { children, parseDer, primitiveBytes } from '../../../pki/der.js';
import { NAME_OID } from '../../../pki/distinguished-name.js';

export interface CertificateSummary {
  readonly sha256: string;
  readonly subjectCommonName: string | undefined;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Fields of a certificate's DER; throws when it is not a certificate. */
export function summarizeCertificate(der: Buffer): CertificateSummary {
  const x509 = new X509Certificate(der);
  return {
    sha256: certificateSha256(der),
    subjectCommonName: subjectCommonName(der),
    serialNumber: x509.serialNumber.toLowerCase(),
    notBefore: new Date(Date.parse(x509.validFrom)),
    notAfter: new Date(Date.parse(x509.validTo)),
  };
}

export function certificateSha256(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

// Read from the DER: X509Certificate.subject is a display string with its own escaping rules.
// The last commonName is the most specific one (names are encoded most significant first).
function subjectCommonName(der: Buffer): string | undefined {
  let commonName: string | undefined;
  for (const rdn of children(parseDer(subjectNameDer(der)))) {
    for (const attribute of children(rdn)) {
      const [type, value] = children(attribute);
      if (!type || !value || forge.asn1.derToOid(primitiveBytes(type).toString('binary')) !== NAME_OID.commonName) continue;
      commonName = directoryString(value);
    }
  }
  return commonName;
}

function directoryString(node: forge.asn1.Asn1): string {
  // forge has already turned a BMPString into a JS string; the other string types are bytes.
  if (node.type === forge.asn1.Type.BMPSTRING) return node.value as string;
  const bytes = primitiveBytes(node);
  return node.type === forge.asn1.Type.UTF8 ? bytes.toString('utf8') : bytes.toString('latin1');
}
