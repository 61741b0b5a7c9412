import forge from 'node-forge';
import { children, encodeDer, parseDer, primitiveBytes, type Asn1 } from '../../../pki/der.js';
import { CMS_OID } from './cms-algorithms.js';

const { Class, Type } = forge.asn1;

/**
 * The parts of a CMS SignedData (RFC 5652 §5) that identity verification reads. forge parses the
 * ASN.1 (BER indefinite lengths included); nodes are re-encoded as DER where bytes are hashed or
 * signed, which reproduces the sender's bytes for the DER that signers produce.
 */
export interface SignedData {
  /** eContentType of the encapsulated content; id-data for a signed body. */
  readonly contentType: string;
  /** True when eContent is absent: the signature is over bytes carried elsewhere (the request body). */
  readonly detached: boolean;
  /** The encapsulated content's bytes when it is attached (a signed OTA answer). */
  readonly content?: Buffer;
  readonly certificates: readonly EmbeddedCertificate[];
  readonly signerInfos: readonly SignerInfo[];
}

export interface EmbeddedCertificate {
  readonly der: Buffer;
  readonly node: Asn1;
}

export type SignerIdentifier =
  | { readonly kind: 'issuer-and-serial'; readonly issuerDer: Buffer; readonly serialNumber: Buffer }
  | { readonly kind: 'subject-key-identifier'; readonly keyIdentifier: Buffer };

export interface SignedAttribute {
  readonly oid: string;
  readonly values: readonly Asn1[];
}

export interface SignerInfo {
  readonly signerId: SignerIdentifier;
  readonly digestAlgorithm: string;
  readonly signedAttributes?: {
    /** The DER the signature covers: the [0] IMPLICIT field re-tagged as SET OF (RFC 5652 §5.4). */
    readonly der: Buffer;
    readonly attributes: readonly SignedAttribute[];
  };
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
}

/** Input that is not a CMS SignedData; the message is ours, never the input's. */
export class CmsFormatError extends Error {
  override readonly name = 'CmsFormatError';
}

export function parseSignedData(der: Buffer): SignedData {
  const contentInfo = sequence(parseDer(der), 'ContentInfo');
  if (contentInfo.length !== 2 || oid(contentInfo[0]) !== CMS_OID.signedData) fail('ContentInfo does not hold SignedData');
  const fields = sequence(explicit(contentInfo[1], 0, 'SignedData'), 'SignedData');
  let i = 0;
  universal(fields[i++], Type.INTEGER, 'version');
  universal(fields[i++], Type.SET, 'digestAlgorithms');
  const encapsulated = sequence(fields[i++], 'EncapsulatedContentInfo');
  const certificates: EmbeddedCertificate[] = [];
  if (isContext(fields[i], 0)) {
    for (const choice of children(fields[i++]!)) {
      // Only plain X.509 certificates: the other CertificateChoices are obsolete or attribute certificates.
      if (choice.tagClass === Class.UNIVERSAL && choice.type === Type.SEQUENCE) certificates.push({ der: encodeDer(choice), node: choice });
    }
  }
  if (isContext(fields[i], 1)) i++;
  const signerInfos = set(fields[i++], 'signerInfos').map(parseSignerInfo);
  if (i !== fields.length) fail('SignedData has trailing fields');
  if (encapsulated.length < 1 || encapsulated.length > 2) fail('EncapsulatedContentInfo has the wrong shape');
  const content = encapsulated.length === 2 ? octets(explicit(encapsulated[1], 0, 'eContent'), 'eContent') : undefined;
  return { contentType: oid(encapsulated[0]), detached: encapsulated.length === 1, ...(content ? { content } : {}), certificates, signerInfos };
}

function parseSignerInfo(node: Asn1): SignerInfo {
  const fields = sequence(node, 'SignerInfo');
  let i = 0;
  universal(fields[i++], Type.INTEGER, 'SignerInfo.version');
  const signerId = parseSignerId(fields[i++]);
  const digestAlgorithm = algorithm(fields[i++], 'digestAlgorithm');
  let signedAttributes: SignerInfo['signedAttributes'];
  if (isContext(fields[i], 0)) {
    const attributesNode = fields[i++]!;
    const der = encodeDer(attributesNode);
    der[0] = 0x31;
    signedAttributes = { der, attributes: children(attributesNode).map(parseAttribute) };
  }
  const signatureAlgorithm = algorithm(fields[i++], 'signatureAlgorithm');
  const signature = octets(fields[i++], 'signature');
  if (isContext(fields[i], 1)) i++;
  if (i !== fields.length) fail('SignerInfo has trailing fields');
  return { signerId, digestAlgorithm, ...(signedAttributes ? { signedAttributes } : {}), signatureAlgorithm, signature };
}

function parseSignerId(node: Asn1 | undefined): SignerIdentifier {
  if (node && isContext(node, 0)) return { kind: 'subject-key-identifier', keyIdentifier: octets(node, 'subjectKeyIdentifier') };
  const [issuer, serial, ...rest] = sequence(node, 'IssuerAndSerialNumber');
  if (rest.length > 0) fail('IssuerAndSerialNumber has trailing fields');
  const issuerNode = universal(issuer, Type.SEQUENCE, 'issuer');
  const serialNumber = primitiveBytes(universal(serial, Type.INTEGER, 'serialNumber'));
  return { kind: 'issuer-and-serial', issuerDer: encodeDer(issuerNode), serialNumber };
}

function parseAttribute(node: Asn1): SignedAttribute {
  const [type, values, ...rest] = sequence(node, 'Attribute');
  if (rest.length > 0) fail('Attribute has trailing fields');
  return { oid: oid(type), values: set(values, 'AttributeValues') };
}

function algorithm(node: Asn1 | undefined, what: string): string {
  const fields = sequence(node, what);
  if (fields.length < 1 || fields.length > 2) fail(`${what} has the wrong shape`);
  return oid(fields[0]);
}

function oid(node: Asn1 | undefined): string {
  return forge.asn1.derToOid(primitiveBytes(universal(node, Type.OID, 'OBJECT IDENTIFIER')).toString('binary'));
}

/** OCTET STRING contents, including BER's constructed (segmented) form. */
export function octets(node: Asn1 | undefined, what: string): Buffer {
  if (!node) fail(`${what} is missing`);
  if (typeof node.value === 'string') return primitiveBytes(node);
  return Buffer.concat(children(node).map((segment) => octets(universal(segment, Type.OCTETSTRING, what), what)));
}

function sequence(node: Asn1 | undefined, what: string): Asn1[] {
  return constructed(universal(node, Type.SEQUENCE, what), what);
}

function set(node: Asn1 | undefined, what: string): Asn1[] {
  return constructed(universal(node, Type.SET, what), what);
}

function explicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!node || !isContext(node, tag)) fail(`${what} is missing`);
  const inner = constructed(node, what);
  if (inner.length !== 1) fail(`${what} has the wrong shape`);
  return inner[0]!;
}

function universal(node: Asn1 | undefined, type: number, what: string): Asn1 {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== type) fail(`${what} is missing or of the wrong type`);
  return node;
}

function constructed(node: Asn1, what: string): Asn1[] {
  if (!Array.isArray(node.value)) fail(`${what} is not constructed`);
  return node.value;
}

function isContext(node: Asn1 | undefined, tag: number): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tag;
}

function fail(message: string): never {
  throw new CmsFormatError(message);
}
