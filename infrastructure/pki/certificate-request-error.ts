/** A certificate request the CA refuses: the caller's input is wrong, not the CA. */
export class CertificateRequestError extends Error {
  override readonly name = 'CertificateRequestError';
}
