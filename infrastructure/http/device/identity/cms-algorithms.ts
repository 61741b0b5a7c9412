/** The algorithms an Mdm-Signature may use: Apple's clients sign with SHA-1 or SHA-256, RSA or ECDSA. */

export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_ALGORITHMS: ReadonlyMap<string, DigestName> = new Map([
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

export interface SignatureAlgorithm {
  readonly keyType: 'rsa' | 'ec';
  /** The hash the algorithm names, which must equal the SignerInfo's digestAlgorithm; undefined for bare key OIDs. */
  readonly digest?: DigestName;
}

// RSA-PSS is left out: Apple's clients do not use it for Mdm-Signature, and its parameters would
// need their own parser.
export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, SignatureAlgorithm> = new Map([
  ['1.2.840.113549.1.1.1', { keyType: 'rsa' }],
  ['1.2.840.113549.1.1.5', { keyType: 'rsa', digest: 'sha1' }],
  ['1.2.840.113549.1.1.11', { keyType: 'rsa', digest: 'sha256' }],
  ['1.2.840.113549.1.1.12', { keyType: 'rsa', digest: 'sha384' }],
  ['1.2.840.113549.1.1.13', { keyType: 'rsa', digest: 'sha512' }],
  // id-ecPublicKey where a signature algorithm belongs: some encoders write it; the digest comes from the SignerInfo.
  ['1.2.840.10045.2.1', { keyType: 'ec' }],
  ['1.2.840.10045.4.1', { keyType: 'ec', digest: 'sha1' }],
  ['1.2.840.10045.4.3.2', { keyType: 'ec', digest: 'sha256' }],
  ['1.2.840.10045.4.3.3', { keyType: 'ec', digest: 'sha384' }],
  ['1.2.840.10045.4.3.4', { keyType: 'ec', digest: 'sha512' }],
] as [string, SignatureAlgorithm][]);

export const CMS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentTypeAttribute: '1.2.840.113549.1.9.3',
  messageDigestAttribute: '1.2.840.113549.1.9.4',
} as const;
