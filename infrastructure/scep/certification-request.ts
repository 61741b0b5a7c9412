import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { DistinguishedName } from '../../application/ports/certificate-authority.js';
import { SIGNATURE_ALGORITHMS } from '../http/device/identity/cms-algorithms.js';
import { children, encodeDer, parseDer, primitiveBytes, type Asn1 } from '../pki/der.js';
import { fail, isContext, oid, sequence, set, text, universal } from './asn1-reader.js';
import { nameFields } from './name-fields.js';
import { OID } from './scep-oids.js';

const { Type } = forge.asn1;

/** What a PKCS#10 request (RFC 2986) asks for, once its self-signature proved possession of the key. */
export interface CertificationRequest {
  /** The requested key as SubjectPublicKeyInfo DER, for comparing keys without re-encoding them. */
  readonly spkiDer: Buffer;
  readonly publicKey: KeyObject;
  /** The subject attributes the CA's profile can carry; others (L, ST, emailAddress) are dropped. */
  readonly subject: Partial<DistinguishedName>;
  readonly challengePassword?: string;
}

export function parseCertificationRequest(der: Buffer): CertificationRequest {
  const [info, signatureAlgorithm, signatureNode, ...rest] = sequence(parseDer(der), 'CertificationRequest');
  if (rest.length > 0) fail('CertificationRequest has trailing fields');
  const [version, subjectNode, spkiNode, attributesNode, ...more] = sequence(info, 'CertificationRequestInfo');
  if (more.length > 0) fail('CertificationRequestInfo has trailing fields');
  universal(version, Type.INTEGER, 'version');

  const spkiDer = encodeDer(universal(spkiNode, Type.SEQUENCE, 'subjectPKInfo'));
  let publicKey;
  try {
    publicKey = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  } catch {
    fail('subjectPKInfo is not a public key');
  }
  const algorithm = SIGNATURE_ALGORITHMS.get(oid(sequence(signatureAlgorithm, 'signatureAlgorithm')[0]));
  if (!algorithm?.digest || algorithm.keyType !== publicKey.asymmetricKeyType) fail('unsupported CSR signature algorithm');
  const bitString = primitiveBytes(universal(signatureNode, Type.BITSTRING, 'signature'));
  if (bitString[0] !== 0) fail('the CSR signature is not whole bytes');
  let valid = false;
  try {
    valid = verify(algorithm.digest, encodeDer(info!), publicKey, bitString.subarray(1));
  } catch {
    valid = false;
  }
  if (!valid) fail('the CSR signature does not verify');

  return {
    spkiDer,
    publicKey,
    subject: nameFields(subjectNode),
    ...challengeOf(attributesNode),
  };
}

function challengeOf(node: Asn1 | undefined): { challengePassword?: string } {
  if (!isContext(node, 0)) return {};
  for (const attribute of children(node)) {
    const [type, values] = sequence(attribute, 'Attribute');
    if (oid(type) !== OID.challengePassword) continue;
    const [value, ...others] = set(values, 'challengePassword values');
    if (others.length > 0) fail('challengePassword has several values');
    return { challengePassword: text(value, 'challengePassword') };
  }
  return {};
}
