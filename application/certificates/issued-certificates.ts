import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import { ConcurrencyError, type EventStore } from '../ports/event-store.js';
import type { ScepIssuanceRecorder, ScepIssuedCertificate } from '../ports/scep-challenges.js';

const NAMESPACE = '8c1e7f3a-52b4-4f0e-9d6a-3b7c2e1f0a94';

/** Issued identities are recorded per certificate: serial, subject, validity, hash; never keys. */
export const issuedCertificateStreamId = (sha256: string): string => `issued-certificate-${sha256}`;

export type CertificateIssued = {
  readonly type: 'CertificateIssued';
  readonly data: {
    readonly serialNumber: string;
    readonly subject: Readonly<Record<string, string | undefined>>;
    readonly notBefore: string;
    readonly notAfter: string;
    readonly sha256: string;
    readonly via: 'PKCSReq' | 'RenewalReq' | 'PKCS12';
    readonly transactionId: string;
    readonly enrollmentId?: string;
    /** SHA-256 of the certificate this one renews. */
    readonly renewalOf?: string;
    /** The enrolled device it was issued to, for renewals. */
    readonly udid?: string;
    readonly issuedAt: string;
  };
};

/** Records every device identity the server issues, by SCEP or in a PKCS#12 profile, as an event (idempotent by certificate hash). */
export class IssuedCertificates implements ScepIssuanceRecorder {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async recordIssued(c: ScepIssuedCertificate): Promise<void> {
    const issuedAt = this.clock.now().toISOString();
    const event: CertificateIssued = {
      type: 'CertificateIssued',
      data: {
        serialNumber: c.serialNumber,
        subject: { ...c.subject },
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        sha256: c.sha256,
        via: c.messageType,
        transactionId: c.transactionId,
        ...(c.enrollmentId ? { enrollmentId: c.enrollmentId } : {}),
        ...(c.renewalOf ? { renewalOf: c.renewalOf } : {}),
        ...(c.udid ? { udid: c.udid } : {}),
        issuedAt,
      },
    };
    try {
      await this.store.append(issuedCertificateStreamId(c.sha256), [{ eventId: uuidV5(NAMESPACE, c.sha256), type: event.type, data: event.data, metadata: { actor: issuerOf(c), occurredAt: issuedAt, version: 1 } }], 'no-stream');
    } catch (error) {
      // The same certificate recorded before (a retried request): once is enough.
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
}

/** Who issued it, as the event's actor. */
export const issuerOf = (c: Pick<ScepIssuedCertificate, 'messageType'>): { readonly kind: 'system'; readonly id: 'scep' | 'pkcs12' } => ({ kind: 'system', id: c.messageType === 'PKCS12' ? 'pkcs12' : 'scep' });
