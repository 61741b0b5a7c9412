import forge from 'node-forge';
import { parseDer, type Asn1 } from '../pki/der.js';

const { asn1 } = forge;
const { Class, Type } = asn1;

/** Small constructors for the structures SCEP answers are made of; Buffers in, forge nodes out. */

export function seq(...items: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

/** A DER SET OF: members sorted by their encoding (X.690 §11.6). */
export function setOf(...items: Asn1[]): Asn1 {
  const sorted = items
    .map((item) => ({ item, der: Buffer.from(asn1.toDer(item).getBytes(), 'binary') }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ item }) => item);
  return asn1.create(Class.UNIVERSAL, Type.SET, true, sorted);
}

export function oidNode(oid: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes());
}

export function octetString(bytes: Buffer): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
}

export function printable(value: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, value);
}

export function utf8(value: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.UTF8, false, Buffer.from(value, 'utf8').toString('binary'));
}

export function smallInteger(value: number): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

export function nullNode(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

export function explicitTag(tag: number, inner: Asn1): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]);
}

/** [tag] IMPLICIT with constructed content (certificates [0], signedAttrs [0]). */
export function implicitSet(tag: number, items: Asn1[]): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tag, true, items);
}

export function implicitPrimitive(tag: number, bytes: Buffer): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tag, false, bytes.toString('binary'));
}

export function algorithmIdentifier(oid: string, parameters: Asn1 | null = nullNode()): Asn1 {
  return parameters ? seq(oidNode(oid), parameters) : seq(oidNode(oid));
}

export function attribute(oid: string, value: Asn1): Asn1 {
  return seq(oidNode(oid), asn1.create(Class.UNIVERSAL, Type.SET, true, [value]));
}

/** A DER blob (a certificate) as a node, parsed so forge re-emits it byte for byte. */
export function derNode(der: Buffer): Asn1 {
  return parseDer(der);
}
