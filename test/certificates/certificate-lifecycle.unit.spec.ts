import { expect } from 'chai';
import { CertificateLifecycle, IDENTITY_RENEWAL_ACTOR } from '../../projections/certificate-lifecycle.js';

const DAY = 24 * 3600_000;
const now = new Date('2025-06-01T00:00:00.000Z');
const inDays = (d: number) => new Date(now.getTime() + d * DAY).toISOString();
const hash = (n: number) => n.toString(16).padStart(64, '0');

/** Feeds a lifecycle the way the subscription does: stream ids, types and data. */
function feed(events: [string, string, Record<string, unknown>][]): CertificateLifecycle {
  const lifecycle = new CertificateLifecycle();
  for (const [streamId, type, data] of events) lifecycle.apply({ streamId, type, data });
  return lifecycle;
}

const enrolled = (udid: string, certificate: string, notAfter: string, via: 'issued' | 'bound' = 'issued'): [string, string, Record<string, unknown>][] => [
  via === 'issued'
    ? [`issued-certificate-${certificate}`, 'CertificateIssued', { sha256: certificate, serialNumber: '01', notAfter }]
    : [`certificate-${certificate}`, 'CertificateBound', { certificateHash: certificate, udid, notAfter, serialNumber: '01' }],
  [`device-${udid}`, 'DeviceEnrollmentStarted', { udid, certificateHash: certificate }],
  [`device-${udid}`, 'DeviceEnrolled', { udid }],
];

describe('certificate lifecycle index (projection)', () => {
  it('finds enrolled devices whose certificate expires within the window, from SCEP records or from the binding', () => {
    const lifecycle = feed([
      ...enrolled('SOON', hash(1), inDays(10)),
      ...enrolled('LATER', hash(2), inDays(200)),
      ...enrolled('FIXTURE', hash(3), inDays(5), 'bound'),
      ...enrolled('EXPIRED', hash(4), inDays(-1)),
    ]);
    expect(lifecycle.dueForRenewal(now, 30 * DAY).map((c) => c.udid).sort()).to.deep.equal(['FIXTURE', 'SOON']);
    expect(lifecycle.dueForRenewal(now, 30 * DAY).find((c) => c.udid === 'SOON')).to.deep.equal({ udid: 'SOON', certificateHash: hash(1), notAfter: inDays(10) });
  });

  it('leaves out devices still enrolling, being unenrolled, checked out, or already given a renewal for that certificate', () => {
    const lifecycle = feed([
      [`issued-certificate-${hash(1)}`, 'CertificateIssued', { sha256: hash(1), notAfter: inDays(10) }],
      ['device-ENROLLING', 'DeviceEnrollmentStarted', { udid: 'ENROLLING', certificateHash: hash(1) }],
      ...enrolled('LEAVING', hash(2), inDays(10)),
      ['device-LEAVING', 'DeviceUnenrollmentRequested', { udid: 'LEAVING' }],
      ...enrolled('GONE', hash(3), inDays(10)),
      ['device-GONE', 'DeviceCheckedOut', { udid: 'GONE' }],
      ...enrolled('RENEWING', hash(4), inDays(10)),
      ['device-RENEWING', 'CommandQueued', { commandUuid: 'R1', request: { requestType: 'InstallProfile' }, queuedBy: IDENTITY_RENEWAL_ACTOR }],
      ...enrolled('ADMIN-PROFILE', hash(5), inDays(10)),
      ['device-ADMIN-PROFILE', 'CommandQueued', { commandUuid: 'A1', request: { requestType: 'InstallProfile' }, queuedBy: 'admin:alice' }],
    ]);
    expect(lifecycle.dueForRenewal(now, 30 * DAY).map((c) => c.udid)).to.deep.equal(['ADMIN-PROFILE']);
  });

  it('after a rebind the new certificate is the one that counts, and the old one awaits revocation as superseded', () => {
    const lifecycle = feed([
      ...enrolled('DEV', hash(1), inDays(10)),
      ['device-DEV', 'CommandQueued', { commandUuid: 'R1', request: { requestType: 'InstallProfile' }, queuedBy: IDENTITY_RENEWAL_ACTOR }],
      [`issued-certificate-${hash(2)}`, 'CertificateIssued', { sha256: hash(2), notAfter: inDays(375), renewalOf: hash(1) }],
      ['device-DEV', 'DeviceCertificateRebound', { udid: 'DEV', previousCertificateHash: hash(1), certificateHash: hash(2) }],
    ]);
    expect(lifecycle.certificateOf('DEV')).to.equal(hash(2));
    expect(lifecycle.dueForRenewal(now, 30 * DAY)).to.deep.equal([]);
    expect(lifecycle.dueForRenewal(new Date(Date.parse(inDays(360))), 30 * DAY).map((c) => c.certificateHash)).to.deep.equal([hash(2)]);
    expect(lifecycle.pendingRevocations()).to.deep.equal([{ sha256: hash(1), udid: 'DEV', reason: 'superseded' }]);
    lifecycle.apply({ streamId: 'certificate-revocations', type: 'CertificateRevoked', data: { sha256: hash(1), reason: 'superseded' } });
    expect(lifecycle.pendingRevocations()).to.deep.equal([]);
  });

  it('a CheckOut and an acknowledged EraseDevice release the certificate; a failed or cancelled erase does not', () => {
    const lifecycle = feed([
      ...enrolled('OUT', hash(1), inDays(100)),
      ['device-OUT', 'DeviceCheckedOut', { udid: 'OUT' }],
      ...enrolled('WIPED', hash(2), inDays(100)),
      ['device-WIPED', 'CommandQueued', { commandUuid: 'E1', request: { requestType: 'EraseDevice' }, queuedBy: 'admin:a' }],
      ['device-WIPED', 'CommandAcknowledged', { commandUuid: 'E1' }],
      ...enrolled('KEPT', hash(3), inDays(100)),
      ['device-KEPT', 'CommandQueued', { commandUuid: 'E2', request: { requestType: 'EraseDevice' }, queuedBy: 'admin:a' }],
      ['device-KEPT', 'CommandFailed', { commandUuid: 'E2' }],
      ['device-KEPT', 'CommandAcknowledged', { commandUuid: 'E2' }],
      ['device-KEPT', 'CommandQueued', { commandUuid: 'Q1', request: { requestType: 'DeviceInformation' }, queuedBy: 'admin:a' }],
      ['device-KEPT', 'CommandAcknowledged', { commandUuid: 'Q1' }],
      ...enrolled('REVOKED', hash(4), inDays(100)),
      [`certificate-revocations`, 'CertificateRevoked', { sha256: hash(4), reason: 'admin' }],
      ['device-REVOKED', 'DeviceCheckedOut', { udid: 'REVOKED' }],
    ]);
    expect(lifecycle.pendingRevocations()).to.deep.equal([
      { sha256: hash(1), udid: 'OUT', reason: 'checked-out' },
      { sha256: hash(2), udid: 'WIPED', reason: 'wiped' },
    ]);
  });

  it('ignores events it does not read and device events of streams it never saw start', () => {
    const lifecycle = feed([
      ['device-GHOST', 'DeviceEnrolled', { udid: 'GHOST' }],
      ['device-GHOST', 'DeviceCheckedOut', { udid: 'GHOST' }],
      ['device-GHOST', 'DeviceSeen', { seenAt: now.toISOString() }],
      ['blob-x', 'BlobStored', { sha256: hash(9) }],
    ]);
    expect(lifecycle.dueForRenewal(now, 365 * DAY)).to.deep.equal([]);
    expect(lifecycle.pendingRevocations()).to.deep.equal([]);
  });
});
