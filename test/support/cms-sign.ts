import forge from 'node-forge';

/**
 * Mdm-Signature values as a device makes them: a detached CMS SignedData over the body, signed
 * with the device's identity key. forge can sign CMS (it cannot verify), which makes it a signer
 * independent of the verifier under test; cms-sign-openssl.ts is a second one.
 */

export type CmsDigest = 'sha1' | 'sha256';

export interface CmsSigner {
  readonly certPem: string;
  /** PKCS#8 or PKCS#1 PEM of an RSA key (forge signs RSA only). */
  readonly keyPem: string;
}

export interface CmsSignOptions {
  readonly digest?: CmsDigest;
  /** contentType, messageDigest and signingTime, as Apple's clients send; default true. */
  readonly signedAttributes?: boolean;
  /** More certificates to include (a chain, or decoys). */
  readonly extraCertificatesPem?: readonly string[];
  /** Leave the signer's own certificate out. */
  readonly omitSignerCertificate?: boolean;
}

/** DER of a detached SignedData over `body`. */
export function signDetachedCms(body: Buffer | string, signer: CmsSigner, options: CmsSignOptions = {}): Buffer {
  const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  if (!options.omitSignerCertificate) p7.addCertificate(signer.certPem);
  for (const pem of options.extraCertificatesPem ?? []) p7.addCertificate(pem);
  const attributes =
    options.signedAttributes === false
      ? []
      : [
          { type: forge.pki.oids.contentType!, value: forge.pki.oids.data },
          { type: forge.pki.oids.messageDigest! },
          { type: forge.pki.oids.signingTime!, value: new Date() as unknown as string },
        ];
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signer.keyPem),
    certificate: signer.certPem,
    digestAlgorithm: forge.pki.oids[options.digest ?? 'sha256']!,
    authenticatedAttributes: attributes,
  });
  p7.sign({ detached: true });
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

/** The header value: base64 of the DER. */
export function mdmSignature(body: Buffer | string, signer: CmsSigner, options: CmsSignOptions = {}): string {
  return signDetachedCms(body, signer, options).toString('base64');
}
