/** Object identifiers and codes of RFC 8894 and the CMS structures it uses. */

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  scepMessageType: '2.16.840.1.113733.1.9.2',
  scepPkiStatus: '2.16.840.1.113733.1.9.3',
  scepFailInfo: '2.16.840.1.113733.1.9.4',
  scepSenderNonce: '2.16.840.1.113733.1.9.5',
  scepRecipientNonce: '2.16.840.1.113733.1.9.6',
  scepTransactionId: '2.16.840.1.113733.1.9.7',
} as const;

/** messageType values (RFC 8894 §3.2.1.2), sent as PrintableString decimals. */
export const MESSAGE_TYPE = {
  CertRep: 3,
  RenewalReq: 17,
  PKCSReq: 19,
} as const;

export type FailInfo = 'badAlg' | 'badMessageCheck' | 'badRequest' | 'badTime' | 'badCertId';

export const FAIL_INFO: Readonly<Record<FailInfo, number>> = {
  badAlg: 0,
  badMessageCheck: 1,
  badRequest: 2,
  badTime: 3,
  badCertId: 4,
};

export const PKI_STATUS = { SUCCESS: 0, FAILURE: 2 } as const;
