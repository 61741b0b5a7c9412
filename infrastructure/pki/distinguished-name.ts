import forge from 'node-forge';
import type { DistinguishedName } from '../../application/ports/certificate-authority.js';

export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
}

export const NAME_OID = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  /** LDAP "UID"; Apple's push certificates carry the APNs topic here. */
  userId: '0.9.2342.19200300.100.1.1',
} as const;

/** Most significant first (C, O, OU, CN), the order OpenSSL and Apple's certificates use. */
export function nameAttributes(dn: DistinguishedName): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  if (dn.country) attributes.push({ oid: NAME_OID.country, value: dn.country });
  if (dn.organization) attributes.push({ oid: NAME_OID.organization, value: dn.organization });
  if (dn.organizationalUnit) attributes.push({ oid: NAME_OID.organizationalUnit, value: dn.organizationalUnit });
  attributes.push({ oid: NAME_OID.commonName, value: dn.commonName });
  return attributes;
}

/** RFC 5280 wants UTF8String for new certificates, except countryName which must be PrintableString. */
export function toForgeAttributes(attributes: readonly NameAttribute[]): forge.pki.CertificateField[] {
  return attributes.map(({ oid, value }) => {
    const tag = oid === NAME_OID.country ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8;
    // @types/node-forge declares valueTagClass as a Class; forge really reads a universal Type here.
    return { type: oid, value, valueTagClass: tag as unknown as forge.asn1.Class };
  });
}
