import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { signatureVerifies, singleAttribute } from './cms-signer-checks.js';
import { primitiveBytes } from '../../../pki/der.js';
import { CMS_OID, DIGEST_ALGORITHMS, SIGNATURE_ALGORITHMS, type DigestName } from './cms-algorithms.js';
import { CmsFormatError, octets, parseSignedData, type SignedData, type SignerInfo } from './cms-signed-data.js';
import { signerCertificate } from './cms-signer-certificate.js';
import { accepted, refused, type Checked } from './identity-failure.js';
import { parsePublicKey, type PublicKeyOf } from './signer-key-cache.js';

/**
 * Verifies a detached CMS SignedData over `content` and returns the signer's certificate (DER).
 * forge cannot verify CMS signatures, so this checks what RFC 5652 §5.4/§5.6 asks by hand: the
 * messageDigest attribute against the content, then the signature over the signed attributes (or
 * over the content when there are none) with Node's crypto. Whether the certificate is ours is the
 * chain check's business, not this one's.
 */
export function verifyDetachedCms(cms: Buffer, content: Buffer, publicKeyOf: PublicKeyOf = parsePublicKey): Checked<Buffer> {
  try {
    return verifyParsed(parseSignedData(cms), content, publicKeyOf);
  } catch (error) {
    // forge's and Node's messages may quote input; only our own messages go into the detail.
    const why = error instanceof CmsFormatError ? error.message : 'not a DER/BER-encoded CMS SignedData';
    return refused('malformed', `Mdm-Signature: ${why}`);
  }
}

function verifyParsed(signedData: SignedData, content: Buffer, publicKeyOf: PublicKeyOf): Checked<Buffer> {
  if (!signedData.detached) return refused('malformed', 'Mdm-Signature: the signature is not detached');
  if (signedData.contentType !== CMS_OID.data) return refused('malformed', 'Mdm-Signature: the signed content is not id-data');
  if (signedData.signerInfos.length !== 1) return refused('malformed', 'Mdm-Signature: expected exactly one signer');
  const signer = signedData.signerInfos[0]!;

  const digest = DIGEST_ALGORITHMS.get(signer.digestAlgorithm);
  if (!digest) return refused('malformed', `Mdm-Signature: unsupported digest algorithm ${shown(signer.digestAlgorithm)}`);
  const algorithm = SIGNATURE_ALGORITHMS.get(signer.signatureAlgorithm);
  if (!algorithm) return refused('malformed', `Mdm-Signature: unsupported signature algorithm ${shown(signer.signatureAlgorithm)}`);
  if (algorithm.digest && algorithm.digest !== digest) {
    return refused('malformed', 'Mdm-Signature: the signature algorithm and the digest algorithm disagree');
  }

  const certificateDer = signerCertificate(signedData.certificates, signer.signerId);
  if (!certificateDer) return refused('malformed', "Mdm-Signature: the signer's certificate is not included");
  const publicKey = publicKeyOf(certificateDer);
  if (publicKey.asymmetricKeyType !== algorithm.keyType) {
    return refused('bad-signature', "Mdm-Signature: the signature algorithm does not fit the certificate's key");
  }

  const signed = signedBytes(signer, content, digest);
  if (!signed.ok) return signed;
  if (!signatureVerifies(digest, signed.value, publicKey, signer.signature)) {
    return refused('bad-signature', 'Mdm-Signature: the signature does not verify with the included certificate');
  }
  return accepted(certificateDer);
}

/** The bytes the signature covers, after checking that the signed attributes bind them to `content`. */
function signedBytes(signer: SignerInfo, content: Buffer, digest: DigestName): Checked<Buffer> {
  if (!signer.signedAttributes) return accepted(content);
  const { attributes, der } = signer.signedAttributes;
  const contentType = singleAttribute(attributes, CMS_OID.contentTypeAttribute);
  const messageDigest = singleAttribute(attributes, CMS_OID.messageDigestAttribute);
  if (!contentType || !messageDigest) {
    return refused('malformed', 'Mdm-Signature: signed attributes need exactly one contentType and one messageDigest');
  }
  const signedContentType = forge.asn1.derToOid(primitiveBytes(contentType).toString('binary'));
  if (signedContentType !== CMS_OID.data) return refused('malformed', 'Mdm-Signature: the signed contentType is not id-data');
  const expected = octets(messageDigest, 'messageDigest');
  if (!createHash(digest).update(content).digest().equals(expected)) {
    return refused('bad-signature', 'Mdm-Signature: messageDigest does not match the request body');
  }
  return accepted(der);
}



// OIDs come from the sender: digits and dots only, but of any length.
function shown(oid: string): string {
  return oid.length <= 64 ? oid : `${oid.slice(0, 64)}...`;
}
