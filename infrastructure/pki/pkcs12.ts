import forge from 'node-forge';

export interface Pkcs12Contents {
  /** The identity's private key, PEM (PKCS#1 or PKCS#8, RSA). */
  readonly keyPem: string;
  /** Its certificate, PEM. */
  readonly certificatePem: string;
  /** Issuers to include after it (the CA), PEM. */
  readonly chainPem?: readonly string[];
  /** Shown by the device's keychain. */
  readonly friendlyName?: string;
}

/**
 * A password-protected PKCS#12 (DER) of one identity. The key is encrypted with
 * pbeWithSHAAnd3-KeyTripleDES-CBC and the whole is integrity-protected by an HMAC-SHA1 MAC: the
 * combination every Apple OS version accepts in a com.apple.security.pkcs12 payload (PBES2/AES is
 * not understood by older ones). Certificates are public and go unencrypted. The iteration count
 * stays at 2048 (node-forge writes counts below 65536 only); callers use random passwords, which a
 * low count does not weaken.
 */
export function buildPkcs12(contents: Pkcs12Contents, password: string): Buffer {
  const key = forge.pki.privateKeyFromPem(contents.keyPem);
  const certificates = [contents.certificatePem, ...(contents.chainPem ?? [])].map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, password, {
    algorithm: '3des',
    count: 2048,
    generateLocalKeyId: true,
    ...(contents.friendlyName ? { friendlyName: contents.friendlyName } : {}),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
