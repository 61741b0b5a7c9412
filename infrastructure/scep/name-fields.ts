import type { DistinguishedName } from '../../application/ports/certificate-authority.js';
import { parseDer, type Asn1 } from '../pki/der.js';
import { NAME_OID } from '../pki/distinguished-name.js';
import { isContext, oid, sequence, set, text } from './asn1-reader.js';

const FIELDS: ReadonlyMap<string, keyof DistinguishedName> = new Map([
  [NAME_OID.commonName, 'commonName'],
  [NAME_OID.organization, 'organization'],
  [NAME_OID.organizationalUnit, 'organizationalUnit'],
  [NAME_OID.country, 'country'],
] as [string, keyof DistinguishedName][]);

/** The attributes of an X.501 Name that the CA's profile can carry; others (L, ST, emailAddress) are dropped. */
export function nameFields(node: Asn1 | undefined): Partial<DistinguishedName> {
  const fields: Partial<Record<keyof DistinguishedName, string>> = {};
  for (const rdn of sequence(node, 'Name')) {
    for (const attribute of set(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = sequence(attribute, 'AttributeTypeAndValue');
      const field = FIELDS.get(oid(type));
      // The last (most specific) value wins, in the Name's own reading order.
      if (field) fields[field] = text(value, 'Name attribute');
    }
  }
  return fields;
}

/** The subject fields of a certificate, read from its DER. */
export function certificateSubject(certificateDer: Buffer): Partial<DistinguishedName> {
  const tbs = sequence(sequence(parseDer(certificateDer), 'Certificate')[0], 'TBSCertificate');
  const offset = isContext(tbs[0], 0) ? 1 : 0;
  return nameFields(tbs[offset + 4]);
}
