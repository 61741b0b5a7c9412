import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeDer } from '../pki/der.js';
import {
  algorithmIdentifier,
  attribute,
  derNode,
  explicitTag,
  implicitSet,
  octetString,
  oidNode,
  printable,
  seq,
  utf8,
  setOf,
  smallInteger,
} from './asn1-builder.js';
import { issuerAndSerialNumber } from './enveloped-data.js';
import { FAIL_INFO, MESSAGE_TYPE, OID, PKI_STATUS, type FailInfo } from './scep-oids.js';

export interface CertRepSigner {
  readonly certificateDer: Buffer;
  readonly privateKey: KeyObject;
}

export interface CertRepRequest {
  readonly transactionId: string;
  readonly senderNonce: Buffer;
}

export type CertRepOutcome = { readonly status: 'success'; readonly envelope: Buffer } | { readonly status: 'failure'; readonly failInfo: FailInfo };

/**
 * A CertRep (RFC 8894 §3.3.2): SignedData by the RA with the SCEP attributes; on success the
 * content is the pkcsPKIEnvelope with the certificate, on failure it is empty. Attributes and
 * algorithms do not depend on why a request failed, so two failures with the same failInfo differ
 * only in the nonce and the signature, never in length.
 */
export function certRep(request: CertRepRequest, outcome: CertRepOutcome, signer: CertRepSigner): Buffer {
  const content = outcome.status === 'success' ? outcome.envelope : Buffer.alloc(0);
  const attributes = [
    attribute(OID.contentType, oidNode(OID.data)),
    attribute(OID.messageDigest, octetString(createHash('sha256').update(content).digest())),
    attribute(OID.scepMessageType, printable(String(MESSAGE_TYPE.CertRep))),
    attribute(OID.scepTransactionId, stringNode(request.transactionId)),
    attribute(OID.scepPkiStatus, printable(String(outcome.status === 'success' ? PKI_STATUS.SUCCESS : PKI_STATUS.FAILURE))),
    attribute(OID.scepSenderNonce, octetString(randomBytes(16))),
    attribute(OID.scepRecipientNonce, octetString(request.senderNonce)),
    ...(outcome.status === 'failure' ? [attribute(OID.scepFailInfo, printable(String(FAIL_INFO[outcome.failInfo])))] : []),
  ];
  const signedAttributes = setOf(...attributes);
  const signature = sign('sha256', encodeDer(signedAttributes), signer.privateKey);
  const signerInfo = seq(
    smallInteger(1),
    issuerAndSerialNumber(signer.certificateDer),
    algorithmIdentifier(OID.sha256),
    implicitSet(0, signedAttributes.value as never),
    algorithmIdentifier(OID.rsaEncryption),
    octetString(signature),
  );
  const signedData = seq(
    smallInteger(1),
    setOf(algorithmIdentifier(OID.sha256)),
    seq(oidNode(OID.data), explicitTag(0, octetString(content))),
    implicitSet(0, [derNode(signer.certificateDer)]),
    setOf(signerInfo),
  );
  return encodeDer(seq(oidNode(OID.signedData), explicitTag(0, signedData)));
}

// PrintableString when the client's transactionID fits its alphabet (base64 and hex do), else UTF8String.
function stringNode(value: string) {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? printable(value) : utf8(value);
}
