import { X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { encodeDer, parseDer, type Asn1 } from '../pki/der.js';
import { explicit, fail, implicitOctets, integerBytes, isContext, octets, oid, sequence, set, universal } from './asn1-reader.js';
import {
  algorithmIdentifier,
  explicitTag,
  implicitPrimitive,
  octetString,
  oidNode,
  seq,
  setOf,
  smallInteger,
} from './asn1-builder.js';
import { CONTENT_CIPHERS, ContentDecryptionError, freshKeyAndIv, type ContentCipher } from './content-cipher.js';
import { wrapKey, type RsaKeyTransport } from './rsa-key-transport.js';
import { OID } from './scep-oids.js';

const { Type } = forge.asn1;

/** The recipient an envelope is for: who we are when opening, whom we answer when sealing. */
export interface EnvelopeRecipient {
  readonly issuerDer: Buffer;
  readonly serialNumber: Buffer;
}

export interface OpenedEnvelope {
  readonly content: Buffer;
  readonly cipher: ContentCipher;
}

/**
 * Opens a pkcsPKIEnvelope (ContentInfo of EnvelopedData, RFC 5652 §6) addressed to `recipient`
 * with a key transported by RSA PKCS#1 v1.5. Structural faults throw ScepFormatError; anything
 * past the key unwrapping throws ContentDecryptionError, whatever the reason, so callers answer
 * every cryptographic failure the same way.
 */
export function openEnvelope(der: Buffer, recipient: EnvelopeRecipient, transport: RsaKeyTransport): OpenedEnvelope {
  const contentInfo = sequence(parseDer(der), 'ContentInfo');
  if (contentInfo.length !== 2 || oid(contentInfo[0]) !== OID.envelopedData) fail('the pkcsPKIEnvelope is not EnvelopedData');
  const fields = sequence(explicit(contentInfo[1], 0, 'EnvelopedData'), 'EnvelopedData');
  let i = 0;
  universal(fields[i++], Type.INTEGER, 'version');
  if (isContext(fields[i], 0)) i++;
  const recipientInfos = set(fields[i++], 'recipientInfos');
  const encryptedContentInfo = sequence(fields[i++], 'EncryptedContentInfo');

  const encryptedKey = keyFor(recipientInfos, recipient);
  if (!encryptedKey) fail('no recipientInfo is addressed to the RA');
  const [contentType, algorithm, encrypted] = encryptedContentInfo;
  if (oid(contentType) !== OID.data) fail('the enveloped content is not id-data');
  const [cipherOid, parameters] = sequence(algorithm, 'contentEncryptionAlgorithm');
  const cipher = CONTENT_CIPHERS.get(oid(cipherOid));
  if (!cipher) fail('unsupported content-encryption algorithm');
  const iv = octets(parameters, 'IV');
  const ciphertext = implicitOctets(encrypted, 0, 'encryptedContent');

  const key = transport.unwrap(encryptedKey, cipher.keyLength);
  try {
    return { content: cipher.decrypt(key, iv, ciphertext), cipher };
  } catch (error) {
    throw error instanceof ContentDecryptionError ? error : new ContentDecryptionError('content decryption failed');
  }
}

/** Seals `content` for the holder of `recipientCertificate` (its RSA key) with `cipher`. */
export function sealEnvelope(content: Buffer, recipientCertificate: Buffer, cipher: ContentCipher, recipientKey?: KeyObject): Buffer {
  const publicKey = recipientKey ?? new X509Certificate(recipientCertificate).publicKey;
  const { key, iv } = freshKeyAndIv(cipher);
  const recipientInfo = seq(
    smallInteger(0),
    issuerAndSerialNumber(recipientCertificate),
    algorithmIdentifier(OID.rsaEncryption),
    octetString(wrapKey(publicKey, key)),
  );
  const envelopedData = seq(
    smallInteger(0),
    setOf(recipientInfo),
    seq(oidNode(OID.data), algorithmIdentifier(cipher.oid, octetString(iv)), implicitPrimitive(0, cipher.encrypt(key, iv, content))),
  );
  return encodeDer(seq(oidNode(OID.envelopedData), explicitTag(0, envelopedData)));
}

/** IssuerAndSerialNumber of a certificate, copied from its DER. */
export function issuerAndSerialNumber(certificateDer: Buffer): Asn1 {
  const tbs = sequence(sequence(parseDer(certificateDer), 'Certificate')[0], 'TBSCertificate');
  const offset = isContext(tbs[0], 0) ? 1 : 0;
  return seq(tbs[offset + 2]!, tbs[offset]!);
}

export function recipientOf(certificateDer: Buffer): EnvelopeRecipient {
  const [issuer, serial] = sequence(issuerAndSerialNumber(certificateDer), 'IssuerAndSerialNumber');
  return { issuerDer: encodeDer(issuer!), serialNumber: integerBytes(serial, 'serialNumber') };
}

function keyFor(recipientInfos: Asn1[], recipient: EnvelopeRecipient): Buffer | undefined {
  for (const info of recipientInfos) {
    // Only KeyTransRecipientInfo (a SEQUENCE); key agreement and the others are tagged choices.
    if (info.tagClass !== forge.asn1.Class.UNIVERSAL || info.type !== Type.SEQUENCE) continue;
    const [version, rid, algorithm, encryptedKey] = sequence(info, 'KeyTransRecipientInfo');
    integerBytes(version, 'version');
    if (isContext(rid, 0)) continue;
    const [issuer, serial] = sequence(rid, 'IssuerAndSerialNumber');
    const matches =
      encodeDer(universal(issuer, Type.SEQUENCE, 'issuer')).equals(recipient.issuerDer) &&
      integerBytes(serial, 'serialNumber').equals(recipient.serialNumber);
    if (!matches) continue;
    const [algorithmOid] = sequence(algorithm, 'keyEncryptionAlgorithm');
    if (oid(algorithmOid) !== OID.rsaEncryption) fail('unsupported key-encryption algorithm');
    return octets(encryptedKey, 'encryptedKey');
  }
  return undefined;
}
