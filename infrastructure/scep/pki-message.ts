import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { children, encodeDer, parseDer, type Asn1 } from '../pki/der.js';
import { DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS, type DigestName } from '../http/device/identity/cms-algorithms.js';
import { signerCertificate } from '../http/device/identity/cms-signer-certificate.js';
import type { EmbeddedCertificate, SignerIdentifier } from '../http/device/identity/cms-signed-data.js';
import { explicit, fail, integerBytes, isContext, octets, oid, sequence, set, text, universal } from './asn1-reader.js';
import { OID } from './scep-oids.js';

const { Type } = forge.asn1;

/**
 * A client's pkiMessage (RFC 8894 §3.2): a SignedData over the encrypted request, signed by the
 * requester's key (a self-signed certificate for PKCSReq, the current one for RenewalReq).
 * Parsing reads what a CertRep needs to answer (transactionID, senderNonce) even when the
 * signature later turns out bad; `verifyPkiMessage` then checks it.
 */
export interface PkiMessage {
  readonly messageType: number;
  readonly transactionId: string;
  readonly senderNonce: Buffer;
  /** The signer's certificate, DER. */
  readonly signerCertificate: Buffer;
  /** The encapsulated content: the DER of the pkcsPKIEnvelope (a ContentInfo of EnvelopedData). */
  readonly content: Buffer;
  readonly signature: SignatureToCheck;
}

interface SignatureToCheck {
  readonly digest: DigestName | undefined;
  readonly keyType: 'rsa' | 'ec' | undefined;
  readonly messageDigest: Buffer | undefined;
  readonly signedAttributesDer: Buffer;
  readonly value: Buffer;
}

// SCEP nonces are 16 bytes; transactionIDs are hex or base64 of a key hash. Generous upper bounds
// keep a hostile client from making us echo kilobytes.
const MAX_TRANSACTION_ID = 128;
const MAX_NONCE = 64;

export function parsePkiMessage(der: Buffer): PkiMessage {
  const contentInfo = sequence(parseDer(der), 'ContentInfo');
  if (contentInfo.length !== 2 || oid(contentInfo[0]) !== OID.signedData) fail('ContentInfo does not hold SignedData');
  const fields = sequence(explicit(contentInfo[1], 0, 'SignedData'), 'SignedData');
  let i = 0;
  universal(fields[i++], Type.INTEGER, 'version');
  set(fields[i++], 'digestAlgorithms');
  const encapsulated = sequence(fields[i++], 'EncapsulatedContentInfo');
  const certificates: EmbeddedCertificate[] = [];
  if (isContext(fields[i], 0)) {
    for (const choice of children(fields[i++]!)) {
      if (choice.tagClass === forge.asn1.Class.UNIVERSAL && choice.type === Type.SEQUENCE) certificates.push({ der: encodeDer(choice), node: choice });
    }
  }
  if (isContext(fields[i], 1)) i++;
  const signerInfos = set(fields[i++], 'signerInfos');
  if (i !== fields.length) fail('SignedData has trailing fields');
  if (signerInfos.length !== 1) fail('a pkiMessage has exactly one signer');
  if (encapsulated.length !== 2 || oid(encapsulated[0]) !== OID.data) fail('the pkiMessage carries no id-data content');
  const content = octets(explicit(encapsulated[1], 0, 'eContent'), 'eContent');

  const signer = sequence(signerInfos[0], 'SignerInfo');
  let j = 0;
  universal(signer[j++], Type.INTEGER, 'SignerInfo.version');
  const signerId = parseSignerId(signer[j++]);
  const digestOid = algorithmOid(signer[j++], 'digestAlgorithm');
  if (!isContext(signer[j], 0)) fail('a pkiMessage needs signed attributes');
  const attributesNode = signer[j++]!;
  const signedAttributesDer = encodeDer(attributesNode);
  signedAttributesDer[0] = 0x31;
  const attributes = readAttributes(children(attributesNode));
  const signatureOid = algorithmOid(signer[j++], 'signatureAlgorithm');
  const signatureValue = octets(signer[j++], 'signature');

  const certificate = signerCertificate(certificates, signerId);
  if (!certificate) fail("the signer's certificate is not included");

  const messageType = Number(text(single(attributes, OID.scepMessageType, 'messageType'), 'messageType'));
  const transactionId = text(single(attributes, OID.scepTransactionId, 'transactionID'), 'transactionID');
  const senderNonce = octets(single(attributes, OID.scepSenderNonce, 'senderNonce'), 'senderNonce');
  if (!Number.isInteger(messageType)) fail('messageType is not a number');
  if (transactionId.length === 0 || transactionId.length > MAX_TRANSACTION_ID || !/^[\x20-\x7e]+$/.test(transactionId)) {
    fail('transactionID is not a short printable string');
  }
  if (senderNonce.length === 0 || senderNonce.length > MAX_NONCE) fail('senderNonce has the wrong length');

  const algorithm = SIGNATURE_ALGORITHMS.get(signatureOid);
  const digest = DIGEST_ALGORITHMS.get(digestOid);
  const messageDigestNode = attributes.get(OID.messageDigest);
  return {
    messageType,
    transactionId,
    senderNonce,
    signerCertificate: certificate,
    content,
    signature: {
      digest: algorithm?.digest && algorithm.digest !== digest ? undefined : digest,
      keyType: algorithm?.keyType,
      messageDigest: messageDigestNode?.length === 1 ? octets(messageDigestNode[0], 'messageDigest') : undefined,
      signedAttributesDer,
      value: signatureValue,
    },
  };
}

const signerKeys = new WeakMap<PkiMessage, KeyObject | null>();

/**
 * The signer certificate's public key, parsed once per message (the request path needs it for the
 * key type, the signature, the CSR key comparison and the reply envelope). Null when unreadable.
 */
export function signerPublicKey(message: PkiMessage): KeyObject | null {
  let key = signerKeys.get(message);
  if (key === undefined) {
    try {
      key = new X509Certificate(message.signerCertificate).publicKey;
    } catch {
      key = null;
    }
    signerKeys.set(message, key);
  }
  return key;
}

/** True when the messageDigest matches the content and the signature over the attributes verifies with the signer's certificate. */
export function verifyPkiMessage(message: PkiMessage): boolean {
  const { digest, keyType, messageDigest, signedAttributesDer, value } = message.signature;
  if (!digest || !keyType || !messageDigest) return false;
  if (!createHash(digest).update(message.content).digest().equals(messageDigest)) return false;
  try {
    const key = signerPublicKey(message);
    if (!key || key.asymmetricKeyType !== keyType) return false;
    return verify(digest, signedAttributesDer, key, value);
  } catch {
    return false;
  }
}

function readAttributes(nodes: Asn1[]): Map<string, Asn1[]> {
  const attributes = new Map<string, Asn1[]>();
  for (const node of nodes) {
    const [type, values, ...rest] = sequence(node, 'Attribute');
    if (rest.length > 0) fail('Attribute has trailing fields');
    const key = oid(type);
    if (attributes.has(key)) fail('a signed attribute repeats');
    attributes.set(key, set(values, 'AttributeValues'));
  }
  return attributes;
}

function single(attributes: Map<string, Asn1[]>, key: string, what: string): Asn1 {
  const values = attributes.get(key);
  if (!values || values.length !== 1) fail(`${what} is missing`);
  return values[0]!;
}

function parseSignerId(node: Asn1 | undefined): SignerIdentifier {
  if (isContext(node, 0)) return { kind: 'subject-key-identifier', keyIdentifier: Buffer.from(String(node.value), 'binary') };
  const [issuer, serial, ...rest] = sequence(node, 'IssuerAndSerialNumber');
  if (rest.length > 0) fail('IssuerAndSerialNumber has trailing fields');
  return { kind: 'issuer-and-serial', issuerDer: encodeDer(universal(issuer, Type.SEQUENCE, 'issuer')), serialNumber: integerBytes(serial, 'serialNumber') };
}

function algorithmOid(node: Asn1 | undefined, what: string): string {
  const fields = sequence(node, what);
  if (fields.length < 1 || fields.length > 2) fail(`${what} has the wrong shape`);
  return oid(fields[0]);
}
