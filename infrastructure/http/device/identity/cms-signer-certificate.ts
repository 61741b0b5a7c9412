import forge from 'node-forge';
import { children, encodeDer, primitiveBytes } from '../../../pki/der.js';
import { subjectKeyIdentifierOf } from '../../../pki/certificate-fields.js';
import type { EmbeddedCertificate, SignerIdentifier } from './cms-signed-data.js';

/**
 * The certificate among the SignedData's certificates that the SignerInfo names. Devices include
 * their identity certificate (and sometimes the chain); a signer whose certificate is not included
 * cannot be checked, as the server holds no certificates of its own to look it up in.
 */
export function signerCertificate(certificates: readonly EmbeddedCertificate[], signerId: SignerIdentifier): Buffer | undefined {
  for (const certificate of certificates) {
    if (signerId.kind === 'issuer-and-serial') {
      const { issuerDer, serialNumber } = issuerAndSerial(certificate);
      if (issuerDer.equals(signerId.issuerDer) && serialNumber.equals(signerId.serialNumber)) return certificate.der;
    } else if (subjectKeyIdentifierOf(certificate.der)?.equals(signerId.keyIdentifier)) {
      return certificate.der;
    }
  }
  return undefined;
}

// TBSCertificate: [0] version (optional), serialNumber, signature, issuer, ...
function issuerAndSerial(certificate: EmbeddedCertificate): { issuerDer: Buffer; serialNumber: Buffer } {
  const tbs = children(children(certificate.node)[0]!);
  const offset = tbs[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = tbs[offset];
  const issuer = tbs[offset + 2];
  if (!serial || !issuer) throw new Error('truncated TBSCertificate');
  return { issuerDer: encodeDer(issuer), serialNumber: primitiveBytes(serial) };
}
