import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { children, encodeDer, parseDer } from '../../infrastructure/pki/der.js';
import { hex, seq, setOf, TAG, tlv, utcTime } from './der-writer.js';

const OID = {
  signedData: hex('06092a864886f70d010702'),
  data: hex('06092a864886f70d010701'),
  contentType: hex('06092a864886f70d010903'),
  messageDigest: hex('06092a864886f70d010904'),
  signingTime: hex('06092a864886f70d010905'),
};
const SHA256 = seq(hex('0609608648016503040201'), hex('0500'));
const RSA = seq(hex('06092a864886f70d010101'), hex('0500'));
const VERSION_1 = hex('020101');

/**
 * Mdm-Signature values as a device makes them (detached CMS SignedData, SHA-256, signed
 * contentType/messageDigest/signingTime, signer certificate included), assembled around a native
 * RSA signature. The test suite's forge signer would cost the load generator milliseconds of
 * JavaScript per request; this costs one OpenSSL RSA signature.
 */
export class DeviceSigner {
  private readonly key: KeyObject;
  private readonly certificateDer: Buffer;
  private readonly issuerAndSerial: Buffer;

  constructor(certPem: string, keyPem: string) {
    this.key = createPrivateKey(keyPem);
    this.certificateDer = new X509Certificate(certPem).raw;
    const tbs = children(children(parseDer(this.certificateDer))[0]!);
    // tbsCertificate: [0] version (present for v3), serialNumber, signature, issuer, …
    const first = tbs[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
    this.issuerAndSerial = seq(encodeDer(tbs[first + 2]!), encodeDer(tbs[first]!));
  }

  /** Base64 DER, the header value. */
  sign(body: Buffer): string {
    const attributes = [
      seq(OID.contentType, setOf(OID.data)),
      seq(OID.messageDigest, setOf(tlv(TAG.OCTET_STRING, createHash('sha256').update(body).digest()))),
      seq(OID.signingTime, setOf(utcTime(new Date()))),
    ];
    const signedAttributes = setOf(...attributes);
    const signature = sign('sha256', signedAttributes, this.key);
    // The same attributes, re-tagged [0] IMPLICIT inside SignerInfo (RFC 5652 §5.3).
    const implicitAttributes = Buffer.concat([Buffer.from([TAG.CONTEXT_0]), signedAttributes.subarray(1)]);
    const signerInfo = seq(VERSION_1, this.issuerAndSerial, SHA256, implicitAttributes, RSA, tlv(TAG.OCTET_STRING, signature));
    const signedData = seq(VERSION_1, setOf(SHA256), seq(OID.data), tlv(TAG.CONTEXT_0, this.certificateDer), setOf(signerInfo));
    return seq(OID.signedData, tlv(TAG.CONTEXT_0, signedData)).toString('base64');
  }
}
