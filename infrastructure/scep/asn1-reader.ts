import forge from 'node-forge';
import { children, primitiveBytes, type Asn1 } from '../pki/der.js';
import { ScepFormatError } from './scep-format-error.js';

const { Class, Type } = forge.asn1;

/** Typed accessors over forge's ASN.1 nodes that fail with a ScepFormatError naming the field. */

export function sequence(node: Asn1 | undefined, what: string): Asn1[] {
  return constructed(universal(node, Type.SEQUENCE, what), what);
}

export function set(node: Asn1 | undefined, what: string): Asn1[] {
  return constructed(universal(node, Type.SET, what), what);
}

export function oid(node: Asn1 | undefined, what = 'OBJECT IDENTIFIER'): string {
  return forge.asn1.derToOid(primitiveBytes(universal(node, Type.OID, what)).toString('binary'));
}

export function integerBytes(node: Asn1 | undefined, what: string): Buffer {
  return primitiveBytes(universal(node, Type.INTEGER, what));
}

/** OCTET STRING contents, including BER's constructed (segmented) form. */
export function octets(node: Asn1 | undefined, what: string): Buffer {
  if (!node) fail(`${what} is missing`);
  if (node.tagClass === Class.UNIVERSAL && node.type === Type.OCTETSTRING) {
    if (typeof node.value === 'string') return primitiveBytes(node);
    return Buffer.concat(children(node).map((segment) => octets(segment, what)));
  }
  return fail(`${what} is not an OCTET STRING`);
}

/** The bytes of a [tag] IMPLICIT OCTET STRING, primitive or segmented. */
export function implicitOctets(node: Asn1 | undefined, tag: number, what: string): Buffer {
  if (!isContext(node, tag)) fail(`${what} is missing`);
  if (typeof node.value === 'string') return primitiveBytes(node);
  return Buffer.concat(children(node).map((segment) => octets(segment, what)));
}

/** A string value of any of the ASN.1 string types (PrintableString, UTF8String, IA5String...). */
export function text(node: Asn1 | undefined, what: string): string {
  if (!node || node.tagClass !== Class.UNIVERSAL || typeof node.value !== 'string') fail(`${what} is not a string`);
  const bytes = primitiveBytes(node);
  switch (node.type as number) {
    case Type.UTF8:
      return bytes.toString('utf8');
    case Type.PRINTABLESTRING:
    case Type.IA5STRING:
    case 20: // TeletexString, read as Latin-1 like OpenSSL does
      return bytes.toString('latin1');
    case Type.BMPSTRING:
      return bytes.swap16().toString('utf16le');
    default:
      return fail(`${what} is not a string`);
  }
}

export function explicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!isContext(node, tag)) fail(`${what} is missing`);
  const inner = constructed(node, what);
  if (inner.length !== 1) fail(`${what} has the wrong shape`);
  return inner[0]!;
}

export function universal(node: Asn1 | undefined, type: number, what: string): Asn1 {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== type) fail(`${what} is missing or of the wrong type`);
  return node;
}

export function isContext(node: Asn1 | undefined, tag: number): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tag;
}

function constructed(node: Asn1, what: string): Asn1[] {
  if (!Array.isArray(node.value)) fail(`${what} is not constructed`);
  return node.value;
}

export function fail(message: string): never {
  throw new ScepFormatError(message);
}
