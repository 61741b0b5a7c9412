import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { derToPem, encodeDer, parseDer } from '../pki/der.js';
import { NAME_OID } from '../pki/distinguished-name.js';

const { asn1 } = forge;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** What the request names; Apple's portal takes the key from it and writes the subject itself. */
export interface PushCsrSubject {
  readonly commonName: string;
  readonly email?: string;
  /** ISO 3166 two-letter code. */
  readonly country?: string;
}

/** The subject fields as an operator types them; a message for the first that is unusable. */
export function pushCsrSubjectProblem(subject: PushCsrSubject): string | undefined {
  if (!/^[\p{L}\p{N} ._@+,()'-]{1,64}$/u.test(subject.commonName)) return 'the common name takes 1-64 letters, digits, spaces and . _ @ + , ( ) \' -';
  if (subject.email !== undefined && !/^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/.test(subject.email)) return 'the e-mail address is not a plain ASCII address';
  if (subject.country !== undefined && !/^[A-Z]{2}$/.test(subject.country)) return 'the country takes a two-letter code such as US or DE';
  return undefined;
}

/**
 * A PKCS#10 request (RFC 2986) for the MDM push certificate, signed SHA256withRSA with the key it
 * asks a certificate for. Assembled with forge's ASN.1 encoder and signed by Node's crypto, as the
 * CA's certificates are. Returns the DER.
 */
export function createPushCsr(privateKey: KeyObject, subject: PushCsrSubject): Buffer {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the push key must be an RSA key (APNs certificates are RSA)');
  const attributes = [
    ...(subject.country ? [{ type: NAME_OID.country, value: subject.country, valueTagClass: asn1.Type.PRINTABLESTRING }] : []),
    { type: NAME_OID.commonName, value: subject.commonName, valueTagClass: asn1.Type.UTF8 },
    ...(subject.email ? [{ type: EMAIL_ADDRESS, value: subject.email, valueTagClass: asn1.Type.IA5STRING }] : []),
  ];
  const distinguishedNameToAsn1 = (forge.pki as unknown as { distinguishedNameToAsn1(dn: { attributes: unknown[] }): forge.asn1.Asn1 }).distinguishedNameToAsn1;
  const spkiDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const info = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    distinguishedNameToAsn1({ attributes }),
    parseDer(spkiDer),
    // No attributes: no challenge password, no extension request.
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, []),
  ]);
  const infoDer = encodeDer(info);
  const signature = sign('sha256', infoDer, privateKey);
  return encodeDer(
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      parseDer(infoDer),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + signature.toString('binary')),
    ]),
  );
}

export const csrDerToPem = (der: Buffer): string => derToPem(der, 'CERTIFICATE REQUEST');
