import forge from 'node-forge';

/**
 * A configuration profile signed as CMS SignedData with the content attached (what devices and
 * `openssl smime -verify` expect), by the server's own certificate.
 */
export function signProfile(profileXml: Buffer, signerCertPem: string, signerKeyPem: string, chainPem: readonly string[] = []): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(profileXml.toString('binary'));
  const cert = forge.pki.certificateFromPem(signerCertPem);
  p7.addCertificate(cert);
  for (const pem of chainPem) p7.addCertificate(forge.pki.certificateFromPem(pem));
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signerKeyPem) as forge.pki.rsa.PrivateKey,
    certificate: cert,
    digestAlgorithm: forge.pki.oids['sha256']!,
    authenticatedAttributes: [
      { type: forge.pki.oids['contentType']!, value: forge.pki.oids['data']! },
      { type: forge.pki.oids['messageDigest']! },
      { type: forge.pki.oids['signingTime']!, value: new Date() as unknown as string },
    ],
  });
  p7.sign();
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}
