import { expect } from 'chai';
import { certificateRevocationDecider, crlReasonCode, REVOCATION_REASONS, type CertificateRevoked, type RevokeCertificate } from '../../domain/certificate/certificate-revocation.js';
import { renewalChallengeDecider } from '../../domain/certificate/renewal-challenge.js';
import { deciderSpec } from '../support/decider-spec.js';

const sha256 = 'ab'.repeat(32);
const at = '2025-03-01T10:00:00.000Z';
const revoke = (over: Partial<RevokeCertificate> = {}): RevokeCertificate => ({ type: 'RevokeCertificate', sha256, serialNumber: '7f01', reason: 'checked-out', revokedBy: 'device:UDID-1', at, ...over });
const revoked = (over: Partial<CertificateRevoked['data']> = {}): CertificateRevoked => ({ type: 'CertificateRevoked', data: { sha256, serialNumber: '7f01', reason: 'checked-out', revokedBy: 'device:UDID-1', revokedAt: at, ...over } });

describe('certificate revocation (decider)', () => {
  const spec = deciderSpec(certificateRevocationDecider);

  it('given nothing, when a certificate is revoked, then CertificateRevoked carries its serial, reason and who', () => {
    spec.given([]).when(revoke({ notAfter: '2026-03-01T10:00:00.000Z' })).then([revoked({ notAfter: '2026-03-01T10:00:00.000Z' })]);
  });

  it('given a revoked certificate, when it is revoked again (another reason), then nothing: the first reason stands', () => {
    spec.given([revoked()]).when(revoke({ reason: 'admin', at: '2025-03-02T00:00:00.000Z' })).thenNothing();
  });

  it('records a certificate without a serial number when none is known', () => {
    const { serialNumber: _none, ...withoutSerial } = revoke();
    const [event] = certificateRevocationDecider.decide(withoutSerial, {});
    expect(event?.data).to.not.have.property('serialNumber');
  });

  it('refuses a hash that is not lower-case SHA-256 hex, an unknown reason and a malformed serial', () => {
    spec.given([]).when(revoke({ sha256: 'AB'.repeat(32) })).thenThrows('invalid-certificate-hash');
    spec.given([]).when(revoke({ sha256: 'ab' })).thenThrows('invalid-certificate-hash');
    spec.given([]).when(revoke({ reason: 'bored' as never })).thenThrows('invalid-revocation-reason');
    spec.given([]).when(revoke({ serialNumber: 'xyz' })).thenThrows('invalid-serial-number');
    spec.given([]).when(revoke({ serialNumber: 'a'.repeat(41) })).thenThrows('invalid-serial-number');
  });

  it('maps reasons to RFC 5280 CRLReason codes; an admin revocation states none (unspecified)', () => {
    expect(Object.fromEntries(REVOCATION_REASONS.map((r) => [r, crlReasonCode(r)]))).to.deep.equal({
      'checked-out': 5, wiped: 5, 'enrollment-rejected': 9, superseded: 4, 'key-compromise': 1, admin: undefined,
    });
  });
});

describe('renewal challenge (decider)', () => {
  const spec = deciderSpec(renewalChallengeDecider);
  const issue = { type: 'IssueRenewalChallenge' as const, challengeHash: 'cd'.repeat(32), udid: 'UDID-1', renewalOf: sha256, expiresAt: '2025-03-10T00:00:00.000Z', at };
  const issued = { type: 'RenewalChallengeIssued' as const, data: { challengeHash: issue.challengeHash, udid: 'UDID-1', renewalOf: sha256, expiresAt: issue.expiresAt, issuedAt: at } };
  const consume = (when: string) => ({ type: 'ConsumeRenewalChallenge' as const, challengeHash: issue.challengeHash, at: when });

  it('is issued for one device and one certificate, and consumed once before it expires', () => {
    spec.given([]).when(issue).then([issued]);
    spec.given([issued]).when(issue).thenNothing();
    spec.given([issued]).when(consume('2025-03-05T00:00:00.000Z')).then([{ type: 'RenewalChallengeConsumed', data: { challengeHash: issue.challengeHash, udid: 'UDID-1', consumedAt: '2025-03-05T00:00:00.000Z' } }]);
    spec.given([issued, { type: 'RenewalChallengeConsumed', data: { challengeHash: issue.challengeHash, udid: 'UDID-1', consumedAt: at } }]).when(consume('2025-03-05T00:00:00.000Z')).thenThrows('challenge-unusable');
    spec.given([issued]).when(consume('2025-03-10T00:00:00.000Z')).thenThrows('challenge-unusable');
    spec.given([]).when(consume(at)).thenThrows('challenge-unusable');
  });

  it('refuses a challenge that would expire before it is issued', () => {
    spec.given([]).when({ ...issue, expiresAt: at }).thenThrows('invalid-challenge');
  });
});
