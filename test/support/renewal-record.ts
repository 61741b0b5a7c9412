import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { systemClock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { TestCertificate } from './pki.js';

/**
 * Records a fixture certificate as SCEP records an identity renewal it issued (CertificateIssued
 * with `renewalOf` and `udid`), so that the server rebinds the device to it as it would to a
 * certificate enrolled with a renewal challenge.
 */
export async function recordRenewal(store: EventStore, renewed: TestCertificate, renewalOf: string, udid: string): Promise<void> {
  const issued = renewed.issued;
  if (!issued) throw new Error('the fixture certificate carries no issuance details');
  await new IssuedCertificates(store, systemClock).recordIssued({
    serialNumber: issued.serialNumber,
    subject: issued.subject,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    sha256: issued.sha256,
    messageType: 'PKCSReq',
    transactionId: `renewal-${issued.serialNumber}`,
    renewalOf,
    udid,
  });
}
