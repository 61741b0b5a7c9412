import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The certificates in a file as Apple and OpenSSL hand them out: one or more PEM blocks, or one
 * DER certificate (Apple's `.cer` downloads). Throws with `what` in the message when there is none.
 */
export function readCertificates(bytes: Buffer, what: string): X509Certificate[] {
  const text = bytes.toString('latin1');
  const blocks = text.match(PEM_CERTIFICATE);
  try {
    if (blocks) return blocks.map((block) => new X509Certificate(block));
    if (text.includes('-----BEGIN')) throw new Error('no CERTIFICATE block');
    return [new X509Certificate(bytes)];
  } catch (error) {
    throw new Error(`${what} is not a PEM or DER X.509 certificate (${(error as Error).message})`, { cause: error });
  }
}
