import { sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;

/**
 * Re-signs a pkiMessage with its signed attributes in DER order. The test client signs them in the
 * order it lists them, but a SET OF is DER only when sorted (RFC 5652 §5.4 signs the DER
 * encoding), and Go's pkcs7 (scepserver) re-encodes the attributes sorted before it verifies, so
 * it refuses the unsorted signature with "crypto/rsa: verification error". Both servers get the
 * re-signed messages, so they see the same bytes.
 */
export function withDerSignedAttributes(pkiMessage: Buffer, signerKey: KeyObject, digest: 'sha1' | 'sha256' = 'sha256'): Buffer {
  const contentInfo = asn1.fromDer(pkiMessage.toString('binary'));
  const signedData = nodes(nodes(contentInfo)[1]!)[0]!;
  const signerInfos = nodes(signedData).at(-1)!;
  const signerInfo = nodes(nodes(signerInfos)[0]!);
  const attributes = nodes(signerInfo[3]!);
  const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
  const sorted = [...attributes].sort((a, b) => Buffer.compare(der(a), der(b)));
  signerInfo[3]!.value = sorted;
  const signature = sign(digest, der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, sorted)), signerKey);
  signerInfo[5] = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, signature.toString('binary'));
  return der(contentInfo);
}

function nodes(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value)) throw new Error('not a constructed ASN.1 node where a pkiMessage has one');
  return node.value;
}
