import type { EventStore } from '../ports/event-store.js';

const PAGE = 1_000;

/** A serial number as compared: lower-case hex without colons or leading zeros. */
export function normalizeSerial(serial: string): string {
  return serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * The certificates (SHA-256) recorded with this serial number: issued by SCEP, bound to a device,
 * or revoked. Serial numbers index nothing, so this reads the whole store: an operator's lookup,
 * never a request path.
 */
export async function certificatesWithSerial(store: EventStore, serial: string): Promise<string[]> {
  const wanted = normalizeSerial(serial);
  const found = new Set<string>();
  for (let after: number | undefined; ;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: PAGE });
    for (const e of page) {
      const data = e.data as { serialNumber?: unknown; sha256?: unknown; certificateHash?: unknown };
      if (typeof data.serialNumber !== 'string' || normalizeSerial(data.serialNumber) !== wanted) continue;
      const sha256 = e.type === 'CertificateBound' ? data.certificateHash : e.type === 'CertificateIssued' || e.type === 'CertificateRevoked' ? data.sha256 : undefined;
      if (typeof sha256 === 'string') found.add(sha256);
    }
    if (page.length < PAGE) return [...found];
    after = page[page.length - 1]!.position;
  }
}
