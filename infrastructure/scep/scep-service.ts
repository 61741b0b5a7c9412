import { createHash, type KeyObject } from 'node:crypto';
import type { CertificateAuthority, DistinguishedName } from '../../application/ports/certificate-authority.js';
import type { Logger } from '../../application/ports/logger.js';
import type { ScepChallenges, ScepIssuanceRecorder } from '../../application/ports/scep-challenges.js';
import { certRep, type CertRepOutcome } from './cert-rep.js';
import { parseCertificationRequest, type CertificationRequest } from './certification-request.js';
import type { ContentCipher } from './content-cipher.js';
import { degenerateSignedData } from './degenerate-signed-data.js';
import { openEnvelope, recipientOf, sealEnvelope, type EnvelopeRecipient } from './enveloped-data.js';
import { certificateSubject } from './name-fields.js';
import { parsePkiMessage, signerPublicKey, verifyPkiMessage, type PkiMessage } from './pki-message.js';
import { RsaKeyTransport } from './rsa-key-transport.js';
import type { ScepRegistrationAuthority } from './scep-registration-authority.js';
import { MESSAGE_TYPE, type FailInfo } from './scep-oids.js';

export interface ScepServiceOptions {
  readonly ca: CertificateAuthority;
  readonly ra: ScepRegistrationAuthority;
  readonly challenges: ScepChallenges;
  readonly recorder?: ScepIssuanceRecorder;
  /** Default 365. */
  readonly validityDays?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Whether the certificate of this SHA-256 was revoked: a revoked certificate renews nothing. */
  readonly isRevoked?: (sha256: string) => boolean;
}

export type PkiOperationResult = { readonly kind: 'certRep'; readonly body: Buffer } | { readonly kind: 'badRequest'; readonly reason: string };

export const CA_CAPS = ['POSTPKIOperation', 'SHA-256', 'SHA-1', 'AES', 'DES3', 'SCEPStandard', 'Renewal'] as const;

/** RFC 8894 operations, free of HTTP: bytes in, bytes out. */
export class ScepService {
  private readonly transport: RsaKeyTransport;
  private readonly raRecipient: EnvelopeRecipient;
  private readonly validityDays: number;
  private readonly now: () => Date;

  constructor(private readonly options: ScepServiceOptions) {
    this.transport = new RsaKeyTransport(options.ra.privateKey);
    this.raRecipient = recipientOf(options.ra.certificateDer);
    this.validityDays = options.validityDays ?? 365;
    this.now = options.now ?? (() => new Date());
  }

  caCaps(): string {
    return `${CA_CAPS.join('\n')}\n`;
  }

  /** The CA and RA certificates as a certs-only SignedData (application/x-x509-ca-ra-cert). */
  caCertificates(): Buffer {
    return degenerateSignedData([this.options.ca.certificateDer(), this.options.ra.certificateDer]);
  }

  async pkiOperation(der: Buffer): Promise<PkiOperationResult> {
    let message: PkiMessage;
    try {
      message = parsePkiMessage(der);
    } catch {
      // Without a transactionID and nonce there is nothing a CertRep could answer.
      return { kind: 'badRequest', reason: 'not a SCEP pkiMessage' };
    }
    const outcome = await this.answer(message);
    const body = certRep(message, outcome, { certificateDer: this.options.ra.certificateDer, privateKey: this.options.ra.privateKey });
    return { kind: 'certRep', body };
  }

  private async answer(message: PkiMessage): Promise<CertRepOutcome> {
    if (message.messageType !== MESSAGE_TYPE.PKCSReq && message.messageType !== MESSAGE_TYPE.RenewalReq) {
      return this.refuse(message, 'badRequest', 'unsupported messageType');
    }
    // The answer is encrypted to the signer's key with RSA key transport, the only kind clients use.
    if (signerPublicKey(message)?.asymmetricKeyType !== 'rsa') return this.refuse(message, 'badAlg', "the signer's key is not RSA");
    if (!verifyPkiMessage(message)) return this.refuse(message, 'badMessageCheck', 'the pkiMessage signature does not verify');

    let request: CertificationRequest;
    let cipher: ContentCipher;
    try {
      const opened = openEnvelope(message.content, this.raRecipient, this.transport);
      cipher = opened.cipher;
      request = parseCertificationRequest(opened.content);
    } catch {
      // One answer for every failure from the envelope inwards: padding, content cipher and CSR
      // alike, so the response is no oracle for the key transport.
      return this.refuse(message, 'badMessageCheck', 'the envelope or the CSR inside it is not acceptable');
    }

    const authorization = await this.authorize(message, request);
    if (!authorization.ok) return this.refuse(message, 'badRequest', authorization.reason);

    const subject = subjectOf(request);
    if (!subject) return this.refuse(message, 'badRequest', 'the CSR has no commonName');
    let issued;
    try {
      issued = await this.options.ca.issue({
        publicKeyDer: request.spkiDer,
        subject,
        profile: 'device-identity',
        validityDays: this.validityDays,
      });
      await this.options.recorder?.recordIssued({
        serialNumber: issued.serialNumber,
        subject: issued.subject,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
        sha256: issued.sha256,
        messageType: message.messageType === MESSAGE_TYPE.PKCSReq ? 'PKCSReq' : 'RenewalReq',
        transactionId: message.transactionId,
        ...(authorization.enrollmentId ? { enrollmentId: authorization.enrollmentId } : {}),
        ...(authorization.renewalOf ? { renewalOf: authorization.renewalOf } : {}),
        ...(authorization.udid ? { udid: authorization.udid } : {}),
      });
    } catch (error) {
      this.options.logger?.warn('SCEP issuance failed', { transactionId: message.transactionId, error: (error as Error).message });
      return { status: 'failure', failInfo: 'badRequest' };
    }
    this.options.logger?.info('SCEP certificate issued', {
      transactionId: message.transactionId,
      serialNumber: issued.serialNumber,
      commonName: issued.subject.commonName,
    });
    // Answer with the client's own cipher: it proved it can decrypt it.
    const envelope = sealEnvelope(degenerateSignedData([issued.der]), message.signerCertificate, cipher, signerPublicKey(message) ?? undefined);
    return { status: 'success', envelope };
  }

  private async authorize(
    message: PkiMessage,
    request: CertificationRequest,
  ): Promise<{ ok: true; enrollmentId?: string; renewalOf?: string; udid?: string } | { ok: false; reason: string }> {
    if (message.messageType === MESSAGE_TYPE.RenewalReq) {
      // A renewal is authorized by the certificate it is signed with, which must be ours, current
      // and not revoked, and renews that identity only: the commonName cannot change.
      if (!this.options.ca.verifyIssued(message.signerCertificate, this.now())) {
        return { ok: false, reason: 'the RenewalReq is not signed by a current certificate of this CA' };
      }
      const renewalOf = createHash('sha256').update(message.signerCertificate).digest('hex');
      if (this.options.isRevoked?.(renewalOf)) return { ok: false, reason: 'the RenewalReq is signed by a revoked certificate' };
      if (commonNameOf(message.signerCertificate) !== request.subject.commonName) {
        return { ok: false, reason: 'the RenewalReq asks for another commonName than the certificate it renews' };
      }
      return { ok: true, renewalOf };
    }
    // RFC 8894 §2.3: a PKCSReq is signed with the key it asks a certificate for; anything else
    // would let a signer reuse someone else's CSR (and challenge).
    if (!sameKey(message, request.publicKey)) {
      return { ok: false, reason: "the pkiMessage is not signed with the CSR's key" };
    }
    if (request.challengePassword === undefined) return { ok: false, reason: 'the CSR has no challengePassword' };
    const verdict = await this.options.challenges.verify(request.challengePassword, { commonName: request.subject.commonName });
    if (!verdict.ok) return { ok: false, reason: 'the challenge is not valid' };
    if (this.options.challenges.consume && !(await this.options.challenges.consume(request.challengePassword))) {
      return { ok: false, reason: 'the challenge was already used' };
    }
    return {
      ok: true,
      ...(verdict.enrollmentId ? { enrollmentId: verdict.enrollmentId } : {}),
      ...(verdict.renewal ? { renewalOf: verdict.renewal.renewalOf, udid: verdict.renewal.udid } : {}),
    };
  }

  private refuse(message: PkiMessage, failInfo: FailInfo, reason: string): CertRepOutcome {
    this.options.logger?.warn('SCEP request refused', { transactionId: message.transactionId, failInfo, reason });
    return { status: 'failure', failInfo };
  }
}

function commonNameOf(certificateDer: Buffer): string | undefined {
  try {
    return certificateSubject(certificateDer).commonName;
  } catch {
    return undefined;
  }
}

function sameKey(message: PkiMessage, requested: KeyObject): boolean {
  try {
    return signerPublicKey(message)?.equals(requested) ?? false;
  } catch {
    return false;
  }
}

function subjectOf(request: CertificationRequest): DistinguishedName | undefined {
  const { commonName, organization, organizationalUnit, country } = request.subject;
  if (!commonName?.trim()) return undefined;
  return {
    commonName,
    ...(organization ? { organization } : {}),
    ...(organizationalUnit ? { organizationalUnit } : {}),
    ...(country ? { country } : {}),
  };
}
