import forge from 'node-forge';
import type { CertificateProfile } from '../../application/ports/certificate-authority.js';
import type { SubjectAltName } from './subject-alt-names.js';

const { asn1 } = forge;

export type ExtensionProfile = CertificateProfile | 'ca';

export interface ExtensionInput {
  readonly profile: ExtensionProfile;
  readonly subjectKeyIdentifier: Buffer;
  readonly authorityKeyIdentifier: Buffer;
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Where the CA's CRL is published: leaf certificates name it (cRLDistributionPoints). */
  readonly crlDistributionPoint?: string;
}

/** The shape forge's cert.setExtensions() accepts: a name plus either flags or a ready `value`. */
export type ForgeExtension = { name: string; critical?: boolean; value?: forge.asn1.Asn1 } & Record<string, unknown>;

/** Extensions per profile. Key usages are critical (RFC 5280 §4.2.1.3); a CA may only sign certificates and CRLs. */
export function profileExtensions(input: ExtensionInput): ForgeExtension[] {
  const identifiers = keyIdentifierExtensions(input);
  switch (input.profile) {
    case 'ca':
      return [
        // pathLen 0: this CA issues end-entity certificates only, never another CA.
        { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
        { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
        ...identifiers,
      ];
    case 'device-identity':
      return [
        leafBasicConstraints(),
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', clientAuth: true },
        ...identifiers,
        ...subjectAltNameExtension(input.subjectAltNames),
        ...crlDistributionPointExtension(input.crlDistributionPoint),
      ];
    case 'tls-server':
      if (input.subjectAltNames.length === 0) throw new Error('a tls-server certificate needs subjectAltNames');
      return [
        leafBasicConstraints(),
        { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        ...identifiers,
        ...subjectAltNameExtension(input.subjectAltNames),
        ...crlDistributionPointExtension(input.crlDistributionPoint),
      ];
    case 'tls-client':
      return [
        leafBasicConstraints(),
        { name: 'keyUsage', critical: true, digitalSignature: true },
        { name: 'extKeyUsage', clientAuth: true },
        ...identifiers,
        ...subjectAltNameExtension(input.subjectAltNames),
        ...crlDistributionPointExtension(input.crlDistributionPoint),
      ];
  }
}

function leafBasicConstraints(): ForgeExtension {
  return { name: 'basicConstraints', cA: false };
}

// Given as ready values: forge would derive them from its own (RSA-only) view of the key.
function keyIdentifierExtensions(input: ExtensionInput): ForgeExtension[] {
  return [
    { name: 'subjectKeyIdentifier', value: octetString(input.subjectKeyIdentifier) },
    {
      name: 'authorityKeyIdentifier',
      value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, input.authorityKeyIdentifier.toString('binary')),
      ]),
    },
  ];
}

function subjectAltNameExtension(names: readonly SubjectAltName[]): ForgeExtension[] {
  if (names.length === 0) return [];
  const generalNames = names.map((san) =>
    san.kind === 'dns'
      ? asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, san.name)
      : asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, san.bytes.toString('binary')),
  );
  return [{ name: 'subjectAltName', value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, generalNames) }];
}

// DistributionPoint { distributionPoint [0] { fullName [0] { uniformResourceIdentifier [6] } } }
function crlDistributionPointExtension(url: string | undefined): ForgeExtension[] {
  if (url === undefined) return [];
  const { Class, Type } = asn1;
  const uri = asn1.create(Class.CONTEXT_SPECIFIC, 6, false, url);
  const fullName = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [uri]);
  const distributionPoint = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [fullName])]);
  return [{ name: 'cRLDistributionPoints', id: '2.5.29.31', value: asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [distributionPoint]) }];
}

function octetString(bytes: Buffer): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
}
