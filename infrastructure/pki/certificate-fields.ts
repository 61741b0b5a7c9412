import forge from 'node-forge';
import { children, encodeDer, parseDer, primitiveBytes, type Asn1 } from './der.js';

/**
 * Reads fields straight from a certificate's DER. Node's X509Certificate renders names and SANs as
 * display strings; chaining and comparisons need the exact bytes.
 */

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

/** The subject Name exactly as encoded: an issued certificate's issuer must match it byte for byte. */
export function subjectNameDer(certDer: Buffer): Buffer {
  return encodeDer(tbsField(certDer, 5));
}

export function subjectKeyIdentifierOf(certDer: Buffer): Buffer | undefined {
  const value = extensionValue(certDer, SUBJECT_KEY_IDENTIFIER);
  return value && primitiveBytes(parseDer(value));
}

/** The SAN entries as (tag, octets): 2 is dNSName, 7 is iPAddress. */
export function subjectAltNameEntries(certDer: Buffer): { tag: number; bytes: Buffer }[] {
  const value = extensionValue(certDer, SUBJECT_ALT_NAME);
  if (!value) return [];
  return children(parseDer(value)).map((name) => ({ tag: name.type as number, bytes: primitiveBytes(name) }));
}

export function extensionValue(certDer: Buffer, oid: string): Buffer | undefined {
  for (const extension of extensions(certDer)) {
    const parts = children(extension);
    if (forge.asn1.derToOid(parts[0]!.value as string) !== oid) continue;
    // extnValue is the last element; `critical` sits in between only when true.
    return primitiveBytes(parts[parts.length - 1]!);
  }
  return undefined;
}

function extensions(certDer: Buffer): Asn1[] {
  const wrapper = tbs(certDer).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  return wrapper ? children(children(wrapper)[0]!) : [];
}

// Index as in a v3 TBSCertificate: 0 version, 1 serial, 2 signature, 3 issuer, 4 validity, 5 subject, 6 SPKI.
function tbsField(certDer: Buffer, index: number): Asn1 {
  const fields = tbs(certDer);
  const hasVersion = fields[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  const field = fields[hasVersion ? index : index - 1];
  if (!field) throw new Error('truncated TBSCertificate');
  return field;
}

function tbs(certDer: Buffer): Asn1[] {
  return children(children(parseDer(certDer))[0]!);
}
