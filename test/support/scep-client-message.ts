import { createHash, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import type { TestKeyPair } from './pki.js';

/**
 * A SCEP client written for the tests, independent of the server's code: node-forge builds the
 * CSR, the self-signed signer certificate and the EnvelopedData (3DES or AES; forge cannot make
 * single DES, which Debian's scepclient covers); the SignedData is assembled by hand because
 * forge cannot put SCEP's attributes into a signer.
 */

const { asn1 } = forge;
const { Class, Type } = asn1;

export type ClientCipher = 'des-EDE3-CBC' | 'aes128-CBC' | 'aes256-CBC';

export interface ScepClientIdentity {
  readonly key: TestKeyPair;
  readonly certPem: string;
  readonly certDer: Buffer;
}

export interface PkiMessageOptions {
  readonly commonName: string;
  readonly challenge?: string;
  readonly cipher?: ClientCipher;
  readonly digest?: 'sha1' | 'sha256';
  readonly messageType?: number;
  readonly transactionId?: string;
  readonly senderNonce?: Buffer;
  /** The key the CSR asks a certificate for; default the signer's (RFC 8894 wants them equal). */
  readonly csrKey?: TestKeyPair;
  /** Replaces the RSA-encrypted content key with these bytes (to test key-transport failures). */
  readonly encryptedKey?: Buffer;
}

/** A self-signed certificate for `key`, as clients make to sign a PKCSReq. */
export function selfSignedSigner(key: TestKeyPair, commonName: string): ScepClientIdentity {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { key, certPem, certDer: Buffer.from(asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary') };
}

export function certificationRequest(key: TestKeyPair, commonName: string, challenge?: string): Buffer {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
  csr.setSubject([
    { name: 'countryName', value: 'DE' },
    { name: 'organizationName', value: 'SCEP Test' },
    { name: 'commonName', value: commonName },
  ]);
  if (challenge !== undefined) csr.setAttributes([{ name: 'challengePassword', value: challenge }]);
  csr.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
  return Buffer.from(asn1.toDer(forge.pki.certificationRequestToAsn1(csr)).getBytes(), 'binary');
}

/** A PKCSReq pkiMessage (DER) from `signer` for the holder of `recipientPem` (the RA). */
export function buildPkiMessage(signer: ScepClientIdentity, recipientPem: string, options: PkiMessageOptions): Buffer {
  const csr = certificationRequest(options.csrKey ?? signer.key, options.commonName, options.challenge);
  const envelope = forge.pkcs7.createEnvelopedData();
  envelope.addRecipient(forge.pki.certificateFromPem(recipientPem));
  envelope.content = forge.util.createBuffer(csr.toString('binary'));
  envelope.encrypt(undefined, forge.pki.oids[options.cipher ?? 'aes256-CBC']);
  const envelopeAsn1 = envelope.toAsn1();
  if (options.encryptedKey) {
    const envelopedData = (envelopeAsn1.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[];
    const fields = envelopedData[0]!.value as forge.asn1.Asn1[];
    const recipientInfo = (fields[1]!.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
    recipientInfo[3] = asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, options.encryptedKey.toString('binary'));
  }
  const content = Buffer.from(asn1.toDer(envelopeAsn1).getBytes(), 'binary');
  return signedPkiMessage(signer, content, options);
}

function signedPkiMessage(signer: ScepClientIdentity, content: Buffer, options: PkiMessageOptions): Buffer {
  const digest = options.digest ?? 'sha256';
  const digestOid = digest === 'sha256' ? '2.16.840.1.101.3.4.2.1' : '1.3.14.3.2.26';
  const attributes = [
    attr('1.2.840.113549.1.9.3', oid('1.2.840.113549.1.7.1')),
    attr('1.2.840.113549.1.9.4', octets(createHash(digest).update(content).digest())),
    attr('2.16.840.1.113733.1.9.2', printable(String(options.messageType ?? 19))),
    attr('2.16.840.1.113733.1.9.7', printable(options.transactionId ?? randomBytes(20).toString('hex'))),
    attr('2.16.840.1.113733.1.9.5', octets(options.senderNonce ?? randomBytes(16))),
  ];
  const attributesSet = asn1.create(Class.UNIVERSAL, Type.SET, true, attributes);
  const signature = sign(digest, Buffer.from(asn1.toDer(attributesSet).getBytes(), 'binary'), signer.key.privateKey);
  const certificate = asn1.fromDer(signer.certDer.toString('binary'));
  const tbs = certificate.value as forge.asn1.Asn1[];
  const tbsFields = tbs[0]!.value as forge.asn1.Asn1[];
  const signerInfo = seq(
    int(1),
    seq(tbsFields[3]!, tbsFields[1]!),
    seq(oid(digestOid), nul()),
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, attributes),
    seq(oid('1.2.840.113549.1.1.1'), nul()),
    octets(signature),
  );
  const signedData = seq(
    int(1),
    asn1.create(Class.UNIVERSAL, Type.SET, true, [seq(oid(digestOid), nul())]),
    seq(oid('1.2.840.113549.1.7.1'), asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [octets(content)])),
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [certificate]),
    asn1.create(Class.UNIVERSAL, Type.SET, true, [signerInfo]),
  );
  const contentInfo = seq(oid('1.2.840.113549.1.7.2'), asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [signedData]));
  return Buffer.from(asn1.toDer(contentInfo).getBytes(), 'binary');
}

export interface ParsedCertRep {
  readonly messageType: string;
  readonly pkiStatus: string;
  readonly failInfo?: string;
  readonly transactionId: string;
  readonly recipientNonce: Buffer;
  readonly senderNonce: Buffer;
  /** The signer certificate forge found, PEM. */
  readonly signerPem?: string;
  readonly content: Buffer;
}

/** Reads a CertRep with forge (verification of the signature is left to openssl in the tests). */
export function parseCertRep(der: Buffer): ParsedCertRep {
  const p7 = forge.pkcs7.messageFromAsn1(asn1.fromDer(der.toString('binary'))) as unknown as {
    rawCapture: { authenticatedAttributes: forge.asn1.Asn1[]; content?: forge.asn1.Asn1 };
    certificates: forge.pki.Certificate[];
  };
  const byOid = new Map<string, string>();
  for (const attribute of p7.rawCapture.authenticatedAttributes) {
    const [type, values] = attribute.value as forge.asn1.Asn1[];
    const value = (values!.value as forge.asn1.Asn1[])[0]!;
    byOid.set(asn1.derToOid(type!.value as string), value.value as string);
  }
  const text = (id: string) => byOid.get(id) ?? '';
  const bytes = (id: string) => Buffer.from(byOid.get(id) ?? '', 'binary');
  const contentNode = p7.rawCapture.content;
  const content = contentNode ? Buffer.from(collectOctets(contentNode), 'binary') : Buffer.alloc(0);
  return {
    messageType: text('2.16.840.1.113733.1.9.2'),
    pkiStatus: text('2.16.840.1.113733.1.9.3'),
    ...(byOid.has('2.16.840.1.113733.1.9.4') ? { failInfo: text('2.16.840.1.113733.1.9.4') } : {}),
    transactionId: text('2.16.840.1.113733.1.9.7'),
    recipientNonce: bytes('2.16.840.1.113733.1.9.6'),
    senderNonce: bytes('2.16.840.1.113733.1.9.5'),
    ...(p7.certificates[0] ? { signerPem: forge.pki.certificateToPem(p7.certificates[0]) } : {}),
    content,
  };
}

/** Opens the CertRep's pkcsPKIEnvelope with the client's key and returns the issued certificate, PEM. */
export function issuedCertificate(certRepContent: Buffer, client: ScepClientIdentity): string {
  const envelope = forge.pkcs7.messageFromAsn1(asn1.fromDer(certRepContent.toString('binary'))) as forge.pkcs7.PkcsEnvelopedData;
  const recipient = envelope.findRecipient(forge.pki.certificateFromPem(client.certPem));
  if (!recipient) throw new Error('the CertRep envelope is not addressed to the client');
  envelope.decrypt(recipient, forge.pki.privateKeyFromPem(client.key.privateKeyPem) as forge.pki.rsa.PrivateKey);
  const degenerate = forge.pkcs7.messageFromAsn1(asn1.fromDer((envelope.content as forge.util.ByteStringBuffer).getBytes())) as forge.pkcs7.PkcsSignedData;
  const certificate = degenerate.certificates[0];
  if (!certificate) throw new Error('the degenerate SignedData holds no certificate');
  return forge.pki.certificateToPem(certificate);
}

// forge keeps eContent as [0] { OCTET STRING } (possibly segmented).
function collectOctets(node: forge.asn1.Asn1): string {
  if (typeof node.value === 'string') return node.value;
  return node.value.map(collectOctets).join('');
}

function seq(...items: forge.asn1.Asn1[]) {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}
function oid(id: string) {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(id).getBytes());
}
function octets(bytes: Buffer) {
  return asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
}
function printable(value: string) {
  return asn1.create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, value);
}
function int(value: number) {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}
function nul() {
  return asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}
function attr(id: string, value: forge.asn1.Asn1) {
  return seq(oid(id), asn1.create(Class.UNIVERSAL, Type.SET, true, [value]));
}
