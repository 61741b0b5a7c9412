import { X509Certificate } from 'node:crypto';

/**
 * The notAfter of a base64 DER certificate as ISO 8601, or undefined when it does not parse. Pass it
 * to parseCommandResult (`certificateNotAfter`) to track expiry of the certificates a device holds.
 */
export function certificateNotAfter(dataBase64: string): string | undefined {
  try {
    const notAfter = new Date(new X509Certificate(Buffer.from(dataBase64, 'base64')).validTo);
    return Number.isNaN(notAfter.getTime()) ? undefined : notAfter.toISOString();
  } catch {
    return undefined;
  }
}
