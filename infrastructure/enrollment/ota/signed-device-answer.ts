import { createHash, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { signatureVerifies, singleAttribute } from '../../http/device/identity/cms-signer-checks.js';
import { primitiveBytes } from '../../pki/der.js';
import { CMS_OID, DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS, type DigestName } from '../../http/device/identity/cms-algorithms.js';
import { CmsFormatError, octets, parseSignedData, type SignerInfo } from '../../http/device/identity/cms-signed-data.js';
import { signerCertificate } from '../../http/device/identity/cms-signer-certificate.js';

/** A device's OTA answer whose signature verifies with the certificate it names. */
export interface SignedDeviceAnswer {
  /** The signed content: the device's property list. */
  readonly content: Buffer;
  /** DER of the signer's certificate. */
  readonly signerDer: Buffer;
  /** DER of every certificate the answer carries (the signer's chain, as far as the device sent it). */
  readonly certificatesDer: readonly Buffer[];
}

export type DeviceAnswerCheck = { readonly ok: true; readonly answer: SignedDeviceAnswer } | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature'; readonly detail: string };

const refused = (reason: 'malformed' | 'bad-signature', detail: string): DeviceAnswerCheck => ({ ok: false, reason, detail });

/**
 * Verifies the CMS SignedData a device POSTs to the profile service (phases 2 and 3): the content
 * is attached, one signer, and the signature verifies with the signer's certificate included in
 * the message (RFC 5652 §5.4/§5.6, checked by hand as for Mdm-Signature: forge cannot verify CMS).
 * Whose certificate that is, is the caller's question. Never throws.
 */
export function verifySignedDeviceAnswer(der: Buffer): DeviceAnswerCheck {
  try {
    const signedData = parseSignedData(der);
    if (signedData.detached || !signedData.content) return refused('malformed', 'the answer does not carry its content');
    if (signedData.contentType !== CMS_OID.data) return refused('malformed', 'the signed content is not id-data');
    if (signedData.signerInfos.length !== 1) return refused('malformed', 'expected exactly one signer');
    const signer = signedData.signerInfos[0]!;
    const digest = DIGEST_ALGORITHMS.get(signer.digestAlgorithm);
    const algorithm = SIGNATURE_ALGORITHMS.get(signer.signatureAlgorithm);
    if (!digest || !algorithm) return refused('malformed', 'unsupported digest or signature algorithm');
    if (algorithm.digest && algorithm.digest !== digest) return refused('malformed', 'the signature algorithm and the digest algorithm disagree');
    const signerDer = signerCertificate(signedData.certificates, signer.signerId);
    if (!signerDer) return refused('malformed', "the signer's certificate is not included");
    const publicKey = new X509Certificate(signerDer).publicKey;
    if (publicKey.asymmetricKeyType !== algorithm.keyType) return refused('bad-signature', "the signature algorithm does not fit the signer's key");
    const signed = signedBytes(signer, signedData.content, digest);
    if (!signed) return refused('bad-signature', 'the signed attributes do not match the content');
    if (!signatureVerifies(digest, signed, publicKey, signer.signature)) return refused('bad-signature', 'the signature does not verify with the included certificate');
    return { ok: true, answer: { content: signedData.content, signerDer, certificatesDer: signedData.certificates.map((c) => c.der) } };
  } catch (error) {
    // forge's and Node's messages may quote input; only our own go into the detail.
    return refused('malformed', error instanceof CmsFormatError ? error.message : 'not a DER/BER-encoded CMS SignedData');
  }
}

/** The bytes the signature covers, once the signed attributes are shown to bind the content; undefined otherwise. */
function signedBytes(signer: SignerInfo, content: Buffer, digest: DigestName): Buffer | undefined {
  if (!signer.signedAttributes) return content;
  const { attributes, der } = signer.signedAttributes;
  const contentType = singleAttribute(attributes, CMS_OID.contentTypeAttribute);
  const messageDigest = singleAttribute(attributes, CMS_OID.messageDigestAttribute);
  if (!contentType || !messageDigest) return undefined;
  if (forge.asn1.derToOid(primitiveBytes(contentType).toString('binary')) !== CMS_OID.data) return undefined;
  return createHash(digest).update(content).digest().equals(octets(messageDigest, 'messageDigest')) ? der : undefined;
}


