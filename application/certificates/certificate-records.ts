import { certificateStreamId, type CertificateBindingEvent } from '../../domain/certificate/certificate-binding.js';
import type { EventStore } from '../ports/event-store.js';
import { issuedCertificateStreamId, type CertificateIssued } from './issued-certificates.js';

/** What the store knows about one certificate: its issuance by SCEP, and the device it spoke for. */
export interface CertificateRecord {
  readonly sha256: string;
  readonly issued?: CertificateIssued['data'];
  readonly bound?: { readonly udid: string; readonly boundAt: string };
  readonly retiredAt?: string;
  /** From the issuance record, else from the certificate as presented when it was bound. */
  readonly serialNumber?: string;
  readonly notAfter?: string;
}

/** Two short stream reads; never a scan. */
export async function certificateRecord(store: EventStore, sha256: string): Promise<CertificateRecord> {
  const [issuedEvents, bindingEvents] = await Promise.all([
    store.readStream(issuedCertificateStreamId(sha256), { maxCount: 1 }),
    store.readStream(certificateStreamId(sha256)),
  ]);
  const issued = issuedEvents[0]?.type === 'CertificateIssued' ? (issuedEvents[0].data as CertificateIssued['data']) : undefined;
  let bound: { udid: string; boundAt: string; serialNumber?: string; notAfter?: string } | undefined;
  let retiredAt: string | undefined;
  for (const recorded of bindingEvents) {
    const e = { type: recorded.type, data: recorded.data } as CertificateBindingEvent;
    if (e.type === 'CertificateBound') bound = e.data;
    else if (e.type === 'CertificateRetired') retiredAt = e.data.retiredAt;
  }
  const serialNumber = issued?.serialNumber ?? bound?.serialNumber;
  const notAfter = issued?.notAfter ?? bound?.notAfter;
  return {
    sha256,
    ...(issued ? { issued } : {}),
    ...(bound ? { bound: { udid: bound.udid, boundAt: bound.boundAt } } : {}),
    ...(retiredAt ? { retiredAt } : {}),
    ...(serialNumber ? { serialNumber } : {}),
    ...(notAfter ? { notAfter } : {}),
  };
}
