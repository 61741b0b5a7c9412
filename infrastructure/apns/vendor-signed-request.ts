import { sign, type KeyObject, type X509Certificate } from 'node:crypto';
import { derToPem } from '../pki/der.js';
import { buildXmlPlist } from '../plist/index.js';

export interface MdmVendor {
  /** The MDM vendor certificate Apple issued (Apple Developer, "MDM CSR"). */
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  /** Apple's WWDR intermediate and Apple's root, in that order, when given. */
  readonly chain: readonly X509Certificate[];
}

/**
 * The push certificate request Apple's Push Certificates Portal (identity.apple.com) takes from a
 * customer of an MDM vendor: base64 of an XML plist with
 *   PushCertRequestCSR        base64 of the CSR's DER
 *   PushCertCertificateChain  the vendor certificate then its chain, PEM (64-character lines)
 *   PushCertSignature         base64 of the vendor key's SHA256withRSA signature over the CSR's DER
 */
export function vendorSignedPushRequest(csrDer: Buffer, vendor: MdmVendor, now: Date): string {
  const { certificate, privateKey } = vendor;
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the MDM vendor key must be an RSA key');
  if (!certificate.checkPrivateKey(privateKey)) throw new Error('the MDM vendor key does not belong to the MDM vendor certificate');
  if (new Date(certificate.validTo).getTime() <= now.getTime()) {
    throw new Error(`the MDM vendor certificate expired on ${new Date(certificate.validTo).toISOString()}: renew it in the Apple Developer account`);
  }
  const signature = sign('sha256', csrDer, privateKey);
  // A chain file that starts with the vendor certificate itself must not list it twice.
  const rest = vendor.chain.filter((c) => c.fingerprint256 !== certificate.fingerprint256);
  const chain = [certificate, ...rest].map((c) => derToPem(Buffer.from(c.raw))).join('');
  const plist = buildXmlPlist({
    PushCertRequestCSR: csrDer.toString('base64'),
    PushCertCertificateChain: chain,
    PushCertSignature: signature.toString('base64'),
  });
  return Buffer.from(plist, 'utf8').toString('base64');
}
