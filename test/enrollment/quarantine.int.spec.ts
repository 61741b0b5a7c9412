import { expect } from 'chai';
import { join } from 'node:path';
import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { EnrollmentAdmission } from '../../application/enrollment/enrollment-admission.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { Quarantine } from '../../application/enrollment/quarantine.js';
import { QuarantineNotices } from '../../application/enrollment/quarantine-notices.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { systemClock } from '../../application/ports/clock.js';
import { StateCache } from '../../application/state-cache.js';
import { deviceDecider, deviceStreamId, type DeviceEvent, type DeviceState } from '../../domain/device/device.js';
import { enrollmentStreamId } from '../../domain/enrollment/enrollment.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { tempDir } from '../support/temp-dir.js';

const TOPIC = 'com.apple.mgmt.External.t';
const admin = { kind: 'admin', id: 'alice' } as const;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Quarantine decisions and their notices', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let enrollments: Enrollments;
  let checkIn: CheckInService;
  let revoked: Array<[string, string]>;
  let quarantine: Quarantine;

  beforeEach(async () => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'), { pollMs: 20 });
    enrollments = new Enrollments(store, systemClock);
    const key = await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true });
    checkIn = new CheckInService(store, new AesGcmSecretBox(key.key), systemClock, new StateCache<DeviceState>(), { admission: new EnrollmentAdmission(store, systemClock, { all: true }, enrollments) });
    revoked = [];
    quarantine = new Quarantine(store, systemClock, async (sha256, reason) => void revoked.push([sha256, reason]));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  /** A device enrolled through an enrollment (or, without user, through a certificate of none), held. */
  async function heldDevice(udid: string, sha: string, user?: string): Promise<string | undefined> {
    const enrollmentId = user ? (await enrollments.begin({ method: 'token', user })).enrollmentId : undefined;
    await new IssuedCertificates(store, systemClock).recordIssued({ serialNumber: '01', subject: { commonName: enrollmentId ?? udid }, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), sha256: sha, messageType: 'PKCSReq', transactionId: 't', ...(enrollmentId ? { enrollmentId } : {}) });
    const identity = { certificateHash: sha, remoteAddress: '127.0.0.1' };
    expect(await checkIn.handle({ messageType: 'Authenticate', udid, topic: TOPIC, facts: {} }, identity)).to.deep.equal({ kind: 'ok' });
    expect(await checkIn.handle({ messageType: 'TokenUpdate', udid, topic: TOPIC, token: Buffer.from('0a', 'hex'), pushMagic: 'pm' }, identity)).to.deep.equal({ kind: 'ok' });
    return enrollmentId;
  }
  const device = async (udid: string) => (await store.readStream(deviceStreamId(udid))).reduce((s, e) => deviceDecider.evolve(s, { type: e.type, data: e.data } as DeviceEvent), deviceDecider.initialState());

  it('approve by enrollment id or UDID: both streams record it once, and repeating changes nothing', async () => {
    const enrollmentId = (await heldDevice('U1', '11'.repeat(32), 'dave'))!;
    expect(await quarantine.approve(enrollmentId, admin)).to.deep.equal({ udid: 'U1', enrollmentId, certificateSha256: '11'.repeat(32), changed: true });
    expect(await quarantine.approve('U1', admin)).to.deep.equal({ udid: 'U1', enrollmentId, certificateSha256: '11'.repeat(32), changed: false });
    expect((await store.readStream(enrollmentStreamId(enrollmentId))).filter((e) => e.type === 'EnrollmentApproved')).to.have.length(1);
    expect((await store.readStream(deviceStreamId('U1'))).filter((e) => e.type === 'DeviceApproved')[0]!.data).to.deep.include({ enrollmentId, approvedBy: 'admin:alice' });
    expect((await device('U1')).quarantine?.status).to.equal('approved');
    expect(await refusal(quarantine.reject(enrollmentId, admin))).to.equal(`not-quarantined: enrollment ${enrollmentId} was already approved`);
    expect(revoked).to.deep.equal([]);
  });

  it('reject: the device is asked to unenroll and the revocation is asked for the certificate, on every repeat', async () => {
    const enrollmentId = (await heldDevice('U2', '22'.repeat(32), 'erin'))!;
    expect(await quarantine.reject('U2', admin, 'lost')).to.deep.include({ enrollmentId, changed: true });
    expect(await quarantine.reject(enrollmentId, admin)).to.deep.include({ changed: false });
    expect(revoked).to.deep.equal([['22'.repeat(32), 'enrollment-rejected'], ['22'.repeat(32), 'enrollment-rejected']]);
    const state = await device('U2');
    expect(state.quarantine?.status).to.equal('rejected');
    expect(state.unenrollmentRequestedAt).to.be.a('string');
    expect(await refusal(quarantine.approve('U2', admin))).to.equal(`not-quarantined: enrollment ${enrollmentId} was already rejected`);
  });

  it('reject revokes every identity the enrollment was issued, not only the one the device authenticated with', async () => {
    const { enrollmentId } = await enrollments.begin({ method: 'ota', user: 'frank' });
    // An OTA enrollment's phase-2 identity, and one enrolled but never used, before the one the device uses.
    for (const sha of ['a1'.repeat(32), 'a2'.repeat(32)]) {
      await enrollments.record({ type: 'RecordIdentityIssued', enrollmentId, certificateSha256: sha, serialNumber: '0a', notAfter: new Date(Date.now() + 86_400_000).toISOString(), at: new Date().toISOString() });
    }
    await new IssuedCertificates(store, systemClock).recordIssued({ serialNumber: '0b', subject: { commonName: enrollmentId }, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), sha256: 'a3'.repeat(32), messageType: 'PKCSReq', transactionId: 't', enrollmentId });
    const identity = { certificateHash: 'a3'.repeat(32), remoteAddress: '127.0.0.1' };
    expect(await checkIn.handle({ messageType: 'Authenticate', udid: 'U5', topic: TOPIC, facts: {} }, identity)).to.deep.equal({ kind: 'ok' });
    expect(await quarantine.reject(enrollmentId, admin)).to.deep.include({ udid: 'U5', certificateSha256: 'a3'.repeat(32), changed: true });
    expect(revoked).to.deep.equal([['a3'.repeat(32), 'enrollment-rejected'], ['a1'.repeat(32), 'enrollment-rejected'], ['a2'.repeat(32), 'enrollment-rejected']]);
    revoked = [];
    await quarantine.reject('U5', admin);
    expect(revoked.map(([sha]) => sha).sort(), 'again on a repeat').to.deep.equal(['a1'.repeat(32), 'a2'.repeat(32), 'a3'.repeat(32)]);
    // Approval revokes nothing.
    const other = (await heldDevice('U6', 'a6'.repeat(32), 'gina'))!;
    revoked = [];
    await quarantine.approve(other, admin);
    expect(revoked).to.deep.equal([]);
  });

  it('decides about a device quarantined without an enrollment, by UDID', async () => {
    await heldDevice('U3', '33'.repeat(32));
    expect(await quarantine.reject('U3', admin)).to.deep.equal({ udid: 'U3', certificateSha256: '33'.repeat(32), changed: true });
    expect(revoked).to.deep.equal([['33'.repeat(32), 'enrollment-rejected']]);
    expect(await refusal(quarantine.approve('nobody', admin))).to.equal('unknown-enrollment: no enrollment or device nobody');
  });

  it('a revocation that fails fails the rejection, and repeating it revokes', async () => {
    await heldDevice('U4', '44'.repeat(32));
    const flaky = new Quarantine(store, systemClock, async () => { throw new Error('CRL unavailable'); });
    let caught: unknown;
    await flaky.reject('U4', admin).catch((e: unknown) => (caught = e));
    expect((caught as Error).message).to.equal('CRL unavailable');
    expect(await quarantine.reject('U4', admin)).to.deep.include({ changed: false });
    expect(revoked).to.deep.equal([['44'.repeat(32), 'enrollment-rejected']]);
  });

  it('notices: decisions recorded by another process are announced, history is not', async () => {
    await heldDevice('OLD', '55'.repeat(32));
    await quarantine.approve('OLD', admin);
    await new Promise((r) => setTimeout(r, 5));
    const seen: string[] = [];
    const notices = new QuarantineNotices(store, systemClock, { approved: (u) => seen.push(`approved ${u}`), rejected: (u) => seen.push(`rejected ${u}`) }, { logger: jsonLogger({ write: () => undefined }), pollMs: 20 });
    await notices.start();
    try {
      await heldDevice('NEW-1', '66'.repeat(32));
      await heldDevice('NEW-2', '77'.repeat(32));
      // The CLI's own connection to the same file.
      const other = new SqliteEventStore(join(dir.path, 'events.db'));
      try {
        const cli = new Quarantine(other, systemClock, async () => undefined);
        await cli.approve('NEW-1', admin);
        await cli.reject('NEW-2', admin);
      } finally {
        await other.close();
      }
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(seen).to.deep.equal(['approved NEW-1', 'rejected NEW-2']);
    } finally {
      await notices.close();
    }
  });
});
