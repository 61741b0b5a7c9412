import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { children, encodeDer, parseDer } from './der.js';
import { toForgeAttributes, type NameAttribute } from './distinguished-name.js';
import { profileExtensions, type ExtensionProfile } from './extensions.js';
import type { IssuerIdentity } from './issuer-identity.js';
import { keyIdentifier } from './key-identifier.js';
import type { SubjectAltName } from './subject-alt-names.js';
import type { ValidityWindow } from './validity.js';

/**
 * X.509 assembly: forge encodes the ASN.1, Node's crypto signs (forge's pure-JS RSA is far too
 * slow, and keys never need to become forge objects).
 */

export interface CertificateTemplate {
  /** Lower-case hex of a positive INTEGER (see serial-number.ts). */
  readonly serialNumber: string;
  readonly subject: readonly NameAttribute[];
  readonly subjectPublicKey: KeyObject;
  /** Its SPKI DER when the caller has it already (exporting costs as much as a small signature). */
  readonly subjectPublicKeyDer?: Buffer;
  readonly validity: ValidityWindow;
  readonly profile: ExtensionProfile;
  readonly subjectAltNames?: readonly SubjectAltName[];
  readonly crlDistributionPoint?: string;
}

/** Returns the DER of `template` signed by `issuer`. */
export function issueCertificate(template: CertificateTemplate, issuer: IssuerIdentity): Buffer {
  return buildAndSign(template, issuer.privateKey, issuer);
}

/** Returns the DER of `template` signed by its own key (a root CA). */
export function selfSignCertificate(template: CertificateTemplate, privateKey: KeyObject): Buffer {
  return buildAndSign(template, privateKey, undefined);
}

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

// forge models only RSA keys and would re-encode them; the subject's SPKI is spliced in byte for
// byte instead, so this stand-in only keeps getTBSCertificate() happy (and EC keys work).
const STAND_IN_KEY = forge.pki.setRsaPublicKey(
  new forge.jsbn.BigInteger('1', 10),
  new forge.jsbn.BigInteger('65537', 10),
);

const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 })
  .getTBSCertificate;

function buildAndSign(
  template: CertificateTemplate,
  signingKey: KeyObject,
  issuer: IssuerIdentity | undefined,
): Buffer {
  if (signingKey.asymmetricKeyType !== 'rsa') throw new Error('only RSA issuer keys are supported');
  const spkiDer = template.subjectPublicKeyDer ?? template.subjectPublicKey.export({ type: 'spki', format: 'der' });
  const subjectKeyIdentifier = keyIdentifier(spkiDer);
  const subject = toForgeAttributes(template.subject);

  const cert = forge.pki.createCertificate();
  cert.serialNumber = template.serialNumber;
  cert.validity.notBefore = template.validity.notBefore;
  cert.validity.notAfter = template.validity.notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer ? [] : subject);
  cert.publicKey = STAND_IN_KEY;
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  cert.setExtensions(
    profileExtensions({
      profile: template.profile,
      subjectKeyIdentifier,
      authorityKeyIdentifier: issuer?.keyIdentifier ?? subjectKeyIdentifier,
      subjectAltNames: template.subjectAltNames ?? [],
      ...(template.crlDistributionPoint !== undefined ? { crlDistributionPoint: template.crlDistributionPoint } : {}),
    }),
  );

  const tbs = getTBSCertificate(cert);
  const fields = children(tbs);
  fields[6] = parseDer(spkiDer);
  if (issuer) fields[3] = parseDer(issuer.nameDer);
  const tbsDer = encodeDer(tbs);

  const signature = sign('sha256', tbsDer, signingKey);
  assertVerifies(tbsDer, signature, signingKey);
  return encodeDer(signedCertificate(tbsDer, signature));
}

function signedCertificate(tbsDer: Buffer, signature: Buffer): forge.asn1.Asn1 {
  const { asn1 } = forge;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    parseDer(tbsDer),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    // Leading 0x00: no unused bits in the final octet.
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\u0000' + signature.toString('binary')),
  ]);
}

// One RSA verification per issuance is cheap insurance against ever handing out a certificate
// that no relying party would accept.
// (The public half is derived once per key: deriving it costs about as much as the check.)
const publicHalves = new WeakMap<KeyObject, KeyObject>();
function assertVerifies(tbsDer: Buffer, signature: Buffer, signingKey: KeyObject): void {
  let publicKey = publicHalves.get(signingKey);
  if (!publicKey) publicHalves.set(signingKey, (publicKey = createPublicKey(signingKey)));
  if (!verify('sha256', tbsDer, publicKey, signature)) {
    throw new Error('internal error: freshly built certificate does not verify');
  }
}
