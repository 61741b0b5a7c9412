import { certificateRevocationDecider, type CertificateRevoked, type RevocationReason, type RevokeCertificate } from '../../domain/certificate/certificate-revocation.js';
import { uuidV5 } from '../deterministic-ids.js';
import type { Clock } from '../ports/clock.js';
import { ConcurrencyError, type Actor, type EventStore } from '../ports/event-store.js';
import { certificateRecord } from './certificate-records.js';

/**
 * Every revocation in one stream. Revocations are rare, so one stream stays short enough to read
 * whole at start-up and to poll for what other processes appended, which keeps `isRevoked` a set
 * lookup (the check-in path never reads the store for it). Appends carry the expected revision, so
 * two processes revoking at once cannot lose either revocation.
 */
export const REVOCATIONS_STREAM = 'certificate-revocations';

const NAMESPACE = '3d6f2a4e-8b1c-4e7a-9f05-6a2d1c8b7e43';
const MAX_ATTEMPTS = 8;

export type RevokedCertificate = CertificateRevoked['data'];

export interface RevokeRequest {
  /** SHA-256 of the certificate's DER, lower-case hex. */
  readonly sha256: string;
  readonly reason: RevocationReason;
  readonly actor: Actor;
  /**
   * From the certificate at the call site, when the caller has it. Otherwise they are looked up in
   * the store (the SCEP issuance record, else the binding); a certificate known nowhere is revoked
   * without a serial number: refused at the device endpoints, but absent from the CRL.
   */
  readonly serialNumber?: string;
  readonly notAfter?: string;
}

export type RevokeOutcome = 'revoked' | 'already-revoked';

export class CertificateRevocations {
  private readonly revoked = new Map<string, RevokedCertificate>();
  private revision = -1;
  private read = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Grows with every revocation seen; the CRL is rebuilt when it changes. */
  get version(): number {
    return this.revision;
  }

  /** False until the stream was read once: until then nobody can say a certificate is not revoked. */
  get loaded(): boolean {
    return this.read;
  }

  isRevoked(sha256: string): boolean {
    return this.revoked.has(sha256);
  }

  revocationOf(sha256: string): RevokedCertificate | undefined {
    return this.revoked.get(sha256);
  }

  /** In the order they were revoked. */
  list(): RevokedCertificate[] {
    return [...this.revoked.values()];
  }

  /** Takes in revocations appended since the last look (by this or another process). */
  refresh(): Promise<void> {
    return this.exclusive(() => this.readNew());
  }

  /** Idempotent: a certificate revoked before stays revoked for its first reason. */
  revoke(request: RevokeRequest): Promise<RevokeOutcome> {
    return this.exclusive(async () => {
      await this.readNew();
      const sha256 = request.sha256;
      const command = (facts: { serialNumber?: string; notAfter?: string }, at: string): RevokeCertificate => ({
        type: 'RevokeCertificate', sha256, reason: request.reason, revokedBy: `${request.actor.kind}:${request.actor.id}`, at,
        ...(facts.serialNumber && serialOctets(facts.serialNumber).length <= 40 ? { serialNumber: serialOctets(facts.serialNumber) } : {}),
        ...(facts.notAfter ? { notAfter: facts.notAfter } : {}),
      });
      // Validates the request before anything is read for it.
      if (certificateRevocationDecider.decide(command({}, this.clock.now().toISOString()), { revoked: this.revoked.get(sha256) }).length === 0) return 'already-revoked';
      const record = request.serialNumber && request.notAfter ? undefined : await certificateRecord(this.store, sha256);
      const facts = { serialNumber: request.serialNumber ?? record?.serialNumber, notAfter: request.notAfter ?? record?.notAfter };
      for (let attempt = 1; ; attempt++) {
        const at = this.clock.now().toISOString();
        const [event] = certificateRevocationDecider.decide(command(facts, at), { revoked: this.revoked.get(sha256) });
        if (!event) return 'already-revoked';
        try {
          const result = await this.store.append(REVOCATIONS_STREAM, [{
            eventId: uuidV5(NAMESPACE, sha256), type: event.type, data: event.data,
            metadata: { actor: request.actor, occurredAt: at, version: 1 },
          }], this.revision === -1 ? 'no-stream' : this.revision);
          this.revoked.set(sha256, event.data);
          this.revision = result.nextRevision;
          return 'revoked';
        } catch (error) {
          // Another process revoked something meanwhile: catch up and decide again.
          if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
          await this.readNew();
        }
      }
    });
  }

  private async readNew(): Promise<void> {
    const events = await this.store.readStream(REVOCATIONS_STREAM, { fromRevision: this.revision + 1 });
    for (const e of events) {
      if (e.revision <= this.revision) continue;
      if (e.type === 'CertificateRevoked') {
        const data = e.data as RevokedCertificate;
        if (!this.revoked.has(data.sha256)) this.revoked.set(data.sha256, data);
      }
      this.revision = e.revision;
    }
    this.read = true;
  }

  // One revocation or refresh at a time in this process: each decides on the state the last left.
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Lower-case hex of the serial's octets: a DER sign octet (leading 00) is no part of the number. */
function serialOctets(serial: string): string {
  return serial.replace(/:/g, '').toLowerCase().replace(/^(00)+(?=[0-9a-f]{2})/, '');
}
