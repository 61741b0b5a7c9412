import forge from 'node-forge';
import { subjectNameDer } from '../pki/certificate-fields.js';
import { children, parseDer, primitiveBytes } from '../pki/der.js';

export interface SubjectAttribute {
  readonly oid: string;
  readonly value: string;
}

const SHORT_NAMES: Record<string, string> = {
  '0.9.2342.19200300.100.1.1': 'UID',
  '2.5.4.3': 'CN',
  '2.5.4.11': 'OU',
  '2.5.4.10': 'O',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.6': 'C',
};

/**
 * The subject's attributes in encoded order, read from the DER: Node's X509Certificate.subject is
 * a display string whose escaping differs between versions, and the topic must be exact.
 */
export function subjectAttributes(certDer: Buffer): SubjectAttribute[] {
  const attributes: SubjectAttribute[] = [];
  for (const rdn of children(parseDer(subjectNameDer(certDer)))) {
    for (const pair of children(rdn)) {
      const [type, value] = children(pair);
      if (!type || !value) continue;
      attributes.push({ oid: forge.asn1.derToOid(type.value as string), value: decode(value) });
    }
  }
  return attributes;
}

export function subjectLine(attributes: readonly SubjectAttribute[]): string {
  return attributes.map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value}`).join(', ');
}

// BMPString is UTF-16BE; everything else in a name is ASCII or UTF-8.
function decode(node: forge.asn1.Asn1): string {
  const bytes = primitiveBytes(node);
  return node.type === forge.asn1.Type.BMPSTRING ? bytes.swap16().toString('utf16le') : bytes.toString('utf8');
}
