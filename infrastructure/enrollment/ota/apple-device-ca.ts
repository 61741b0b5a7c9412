import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const MAX_CHAIN = 6;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Apple's device CA (MDM_OTA_APPLE_CA_FILE): the certificates a device's OTA answer must chain to.
 * The chain is built from the signer through the certificates the device included, each signed by
 * the next, intermediates marked as CAs, up to a certificate of the bundle. Validity periods are
 * not enforced: a device signs with the certificate it was made with for its whole life, so what
 * matters is who issued it.
 */
export class AppleDeviceCa {
  private constructor(private readonly anchors: readonly X509Certificate[]) {}

  static fromPem(pem: string): AppleDeviceCa {
    const anchors = (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
    if (anchors.length === 0) throw new Error('holds no PEM certificate');
    return new AppleDeviceCa(anchors);
  }

  /** Throws an Error naming the file when it cannot be read or holds no certificate. */
  static async load(path: string): Promise<AppleDeviceCa> {
    try {
      return AppleDeviceCa.fromPem(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`MDM_OTA_APPLE_CA_FILE ${path}: ${(error as Error).message}`);
    }
  }

  /** Never throws: a certificate it cannot read does not chain. */
  issued(signerDer: Buffer, carriedDer: readonly Buffer[]): boolean {
    try {
      const carried = carriedDer.map((der) => new X509Certificate(der));
      let current = new X509Certificate(signerDer);
      for (let depth = 0; depth < MAX_CHAIN; depth++) {
        if (this.anchors.some((anchor) => anchor.raw.equals(current.raw) || signs(anchor, current))) return true;
        const next = carried.find((candidate) => !candidate.raw.equals(current.raw) && candidate.ca && signs(candidate, current));
        if (!next) return false;
        current = next;
      }
      return false;
    } catch {
      return false;
    }
  }
}

function signs(issuer: X509Certificate, subject: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}
