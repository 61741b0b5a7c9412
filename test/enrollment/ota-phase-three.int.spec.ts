import { expect } from 'chai';
import { join } from 'node:path';
import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { OtaEnrollments, type OtaEnrollmentOptions } from '../../application/enrollment/ota-enrollments.js';
import { ProfileServiceChallenges } from '../../application/enrollment/profile-service-challenges.js';
import { enrollmentStreamId } from '../../domain/enrollment/enrollment.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { ManualTime } from '../apns/manual-time.js';
import { tempDir } from '../support/temp-dir.js';

const UDID = '00008030-0000000000000B1E';

/**
 * OTA phase 3 over a real store: each answer that gets the enrollment profile also gets a fresh
 * challenge for a CA-signed identity, so it is granted once per enrollment and never after the
 * enrollment was used or rejected; the phase-2 identity that signed it is revoked once it served.
 */
describe('OTA phase 3: once per enrollment, and the phase-2 identity revoked after it', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  const time = new ManualTime(Date.UTC(2026, 2, 1, 9, 0, 0));
  let enrollments: Enrollments;
  let revoked: Set<string>;
  let revocations: Array<[string, string]>;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    enrollments = new Enrollments(store, time);
    revoked = new Set();
    revocations = [];
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const revoking: OtaEnrollmentOptions = {
    isCertificateRevoked: (sha256) => revoked.has(sha256),
    revokeCertificate: async (sha256, reason) => {
      revocations.push([sha256, reason]);
      revoked.add(sha256);
    },
  };
  const ota = (options: OtaEnrollmentOptions = revoking) => new OtaEnrollments(store, time, enrollments, new ProfileServiceChallenges(store, time), options);
  const count = async () => (await store.readAll({ maxCount: 100_000 })).length;

  /** Phases 1 and 2 as the device does them, and SCEP's record of the phase-2 identity it then enrolls. */
  async function throughPhaseTwo(service: OtaEnrollments, sha256: string): Promise<{ enrollmentId: string; challenge: string; signer: { sha256: string; commonName: string } }> {
    const { enrollmentId, challenge } = await service.start({ username: 'alice', group: 'sales' });
    const phase2 = await service.acceptDeviceAttributes(enrollmentId, { udid: UDID }, challenge);
    expect(phase2.ok).to.equal(true);
    await new IssuedCertificates(store, time).recordIssued({ serialNumber: '0a', subject: { commonName: enrollmentId }, notBefore: time.now(), notAfter: new Date(time.now().getTime() + 365 * 86_400_000), sha256, messageType: 'PKCSReq', transactionId: 't', enrollmentId });
    return { enrollmentId, challenge, signer: { sha256, commonName: enrollmentId } };
  }

  it('serves the profile once, revokes the signer as superseded, and refuses every later answer without recording anything', async () => {
    const service = ota();
    const { enrollmentId, challenge, signer } = await throughPhaseTwo(service, '2a'.repeat(32));
    const granted = await service.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge);
    expect(granted).to.deep.include({ ok: true });
    expect(await service.enrollmentProfileServed(enrollmentId, signer, true)).to.deep.equal({ ok: true, value: undefined });
    expect(revocations).to.deep.equal([['2a'.repeat(32), 'superseded']]);
    const served = (await store.readStream(enrollmentStreamId(enrollmentId))).filter((e) => e.type === 'EnrollmentProfileServed').map((e) => (e.data as { profile: string }).profile);
    expect(served).to.deep.equal(['mdm']);

    const before = await count();
    expect(await service.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge)).to.deep.include({ ok: false, refusal: 'revoked' });
    // Even where the revocation is not known (another process, no revocation wired): the profile was served.
    expect(await ota({}).authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge)).to.deep.equal({ ok: false, refusal: 'enrollment', detail: 'the enrollment profile was served before' });
    expect(await count(), 'refusals record nothing (no challenge either)').to.equal(before);
  });

  it('refuses phase 3 once a device authenticated with the enrollment, and once it was rejected', async () => {
    const service = ota({});
    const used = await throughPhaseTwo(service, '3b'.repeat(32));
    await enrollments.record({ type: 'RecordDeviceAuthenticated', enrollmentId: used.enrollmentId, udid: UDID, certificateSha256: '3c'.repeat(32), quarantine: true, at: time.now().toISOString() });
    let before = await count();
    expect(await service.authorizeEnrollmentProfile(used.enrollmentId, UDID, used.signer, used.challenge)).to.deep.equal({ ok: false, refusal: 'enrollment', detail: 'a device has authenticated with this enrollment already' });
    expect(await count()).to.equal(before);
    await enrollments.record({ type: 'RejectEnrollment', enrollmentId: used.enrollmentId, rejectedBy: 'admin:alice', at: time.now().toISOString() });
    before = await count();
    expect(await service.authorizeEnrollmentProfile(used.enrollmentId, UDID, used.signer, used.challenge)).to.deep.equal({ ok: false, refusal: 'enrollment', detail: 'the enrollment was rejected' });
    expect(await count()).to.equal(before);
  });

  it('two answers at once: both may pass the checks, only one profile is recorded and answered', async () => {
    const service = ota();
    const { enrollmentId, challenge, signer } = await throughPhaseTwo(service, '4d'.repeat(32));
    const both = await Promise.all([service.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge), service.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge)]);
    expect(both.map((o) => o.ok)).to.deep.equal([true, true]);
    const served = await Promise.all([service.enrollmentProfileServed(enrollmentId, signer, true), service.enrollmentProfileServed(enrollmentId, signer, true)]);
    expect(served.map((o) => (o.ok ? 'served' : o.refusal)).sort()).to.deep.equal(['enrollment', 'served']);
    expect((await store.readStream(enrollmentStreamId(enrollmentId))).filter((e) => e.type === 'EnrollmentProfileServed')).to.have.length(1);
    expect(revoked.has('4d'.repeat(32))).to.equal(true);
  });

  it('a revocation that fails withholds the profile and leaves the enrollment unspent: the device may answer again', async () => {
    const failing = ota({ revokeCertificate: async () => { throw new Error('store unavailable'); } });
    const { enrollmentId, challenge, signer } = await throughPhaseTwo(failing, '5e'.repeat(32));
    expect((await failing.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge)).ok).to.equal(true);
    let caught: unknown;
    await failing.enrollmentProfileServed(enrollmentId, signer, true).catch((e: unknown) => (caught = e));
    expect((caught as Error).message).to.equal('store unavailable');
    const service = ota();
    expect((await service.authorizeEnrollmentProfile(enrollmentId, UDID, signer, challenge)).ok, 'the retry').to.equal(true);
    expect((await service.enrollmentProfileServed(enrollmentId, signer, true)).ok).to.equal(true);
    expect(revocations).to.deep.equal([['5e'.repeat(32), 'superseded']]);
  });
});
