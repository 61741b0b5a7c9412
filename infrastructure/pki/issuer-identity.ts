import { X509Certificate, type KeyObject } from 'node:crypto';
import { subjectKeyIdentifierOf, subjectNameDer } from './certificate-fields.js';
import { keyIdentifier } from './key-identifier.js';

/** What signing on behalf of a CA needs: its exact Name, its key identifier and its private key. */
export interface IssuerIdentity {
  readonly certificate: X509Certificate;
  readonly nameDer: Buffer;
  readonly keyIdentifier: Buffer;
  readonly privateKey: KeyObject;
}

export function issuerIdentity(certificate: X509Certificate, privateKey: KeyObject): IssuerIdentity {
  if (privateKey.type !== 'private') throw new Error('the CA key must be a private key');
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the CA key must be an RSA key');
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error('the CA private key does not match the CA certificate');
  }
  const certDer = certificate.raw;
  // Prefer the CA's own SKI: a CA made by another tool may have computed it differently.
  const spkiDer = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return {
    certificate,
    nameDer: subjectNameDer(certDer),
    keyIdentifier: subjectKeyIdentifierOf(certDer) ?? keyIdentifier(spkiDer),
    privateKey,
  };
}
