import { expect } from 'chai';
import { join } from 'node:path';
import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { EnrollmentAdmission } from '../../application/enrollment/enrollment-admission.js';
import { EnrollmentIdentityRecorder } from '../../application/enrollment/enrollment-identity-recorder.js';
import { Enrollments } from '../../application/enrollment/enrollments.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import { loadDeviceState } from '../../application/mdm/device-binding.js';
import { systemClock } from '../../application/ports/clock.js';
import type { ScepIssuedCertificate } from '../../application/ports/scep-challenges.js';
import { StateCache } from '../../application/state-cache.js';
import { deviceDecider, type DeviceState } from '../../domain/device/device.js';
import { enrollmentStreamId } from '../../domain/enrollment/enrollment.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { jsonLogger } from '../../infrastructure/logging/json-logger.js';
import { AesGcmSecretBox, loadOrCreateSecretsKey } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { tempDir } from '../support/temp-dir.js';

const TOPIC = 'com.apple.mgmt.External.t';
const unknownDevice: DeviceState = deviceDecider.initialState();

function issued(sha256: string, enrollmentId?: string): ScepIssuedCertificate {
  return {
    serialNumber: sha256.slice(0, 16), subject: { commonName: enrollmentId ?? 'static' }, notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z'),
    sha256, messageType: 'PKCSReq', transactionId: `tx-${sha256.slice(0, 8)}`, ...(enrollmentId ? { enrollmentId } : {}),
  };
}

describe('enrollment steps at SCEP issuance and Authenticate', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let enrollments: Enrollments;
  let logged: string[];
  let recorder: EnrollmentIdentityRecorder;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    enrollments = new Enrollments(store, systemClock);
    logged = [];
    recorder = new EnrollmentIdentityRecorder(new IssuedCertificates(store, systemClock), enrollments, systemClock, jsonLogger({ write: (l) => logged.push(l), level: 'debug' }));
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const steps = async (id: string) => (await store.readStream(enrollmentStreamId(id))).map((e) => e.type);

  it('records EnrollmentIdentityIssued for a certificate issued to an enrollment, once', async () => {
    const { enrollmentId } = await enrollments.begin({ method: 'web', user: 'alice' });
    await recorder.recordIssued(issued('a1'.repeat(32), enrollmentId));
    await recorder.recordIssued(issued('a1'.repeat(32), enrollmentId));
    expect(await steps(enrollmentId)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued']);
    expect((await store.readStream(enrollmentStreamId(enrollmentId)))[1]!.data).to.include({ certificateSha256: 'a1'.repeat(32), serialNumber: 'a1'.repeat(8), notAfter: '2027-01-01T00:00:00.000Z' });
  });

  it('issues a certificate whose challenge names no started enrollment (renewal), recording no step', async () => {
    await recorder.recordIssued(issued('b2'.repeat(32), '00008030-001A2B3C4D5E6F70'));
    expect(await store.readStream('issued-certificate-' + 'b2'.repeat(32))).to.have.length(1);
    expect(await steps('00008030-001A2B3C4D5E6F70')).to.deep.equal([]);
  });

  it('issues the certificate even when the step cannot be recorded', async () => {
    const failing = new EnrollmentIdentityRecorder(new IssuedCertificates(store, systemClock), { record: async () => { throw new Error('store unavailable'); } }, systemClock, jsonLogger({ write: (l) => logged.push(l) }));
    await failing.recordIssued(issued('c3'.repeat(32), 'e-1'));
    expect(await store.readStream('issued-certificate-' + 'c3'.repeat(32))).to.have.length(1);
    expect(logged.join('')).to.contain('recording the identity on its enrollment failed');
  });

  it('at Authenticate: records the device (UDID ↔ user), backfills a missing identity step, and asks the group policy', async () => {
    const { enrollmentId } = await enrollments.begin({ method: 'token', user: 'bob', group: 'sales' });
    // Issued through the plain recorder: the enrollment step is missing and is recorded at Authenticate.
    await new IssuedCertificates(store, systemClock).recordIssued(issued('d4'.repeat(32), enrollmentId));
    const asked: Array<string | undefined> = [];
    const admission = new EnrollmentAdmission(store, systemClock, { all: false, required: async (group) => (asked.push(group), group === 'sales') }, enrollments);
    const admitted = await admission.admit('UDID-1', 'd4'.repeat(32), unknownDevice);
    expect(admitted).to.deep.equal({ kind: 'admitted', enrollment: { enrollmentId, user: 'bob', group: 'sales' }, quarantine: true });
    expect(asked).to.deep.equal(['sales']);
    expect(await steps(enrollmentId)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued', 'EnrollmentDeviceAuthenticated', 'EnrollmentQuarantined']);
    // Again: nothing new, still held, the policy not asked again.
    expect(await admission.admit('UDID-1', 'd4'.repeat(32), unknownDevice)).to.deep.include({ quarantine: true });
    expect(asked).to.have.length(1);
    expect(await steps(enrollmentId)).to.have.length(4);
    // Another device with the same identity is refused.
    expect(await admission.admit('UDID-2', 'd4'.repeat(32), unknownDevice)).to.deep.equal({ kind: 'refused', reason: 'enrollment-device-mismatch' });
  });

  it('admits certificates of no enrollment under the global policy only', async () => {
    await new IssuedCertificates(store, systemClock).recordIssued(issued('e5'.repeat(32)));
    expect(await new EnrollmentAdmission(store, systemClock, { all: false }).admit('U', 'e5'.repeat(32), unknownDevice)).to.deep.equal({ kind: 'admitted', quarantine: false });
    expect(await new EnrollmentAdmission(store, systemClock, { all: true }).admit('U', 'e5'.repeat(32), unknownDevice)).to.deep.equal({ kind: 'admitted', quarantine: true });
    // An imported certificate has no issuance record at all.
    expect(await new EnrollmentAdmission(store, systemClock, { all: false, required: async (g) => g === undefined }).admit('U', 'f6'.repeat(32), unknownDevice)).to.deep.equal({ kind: 'admitted', quarantine: true });
  });

  it('CheckInService: without quarantine the device enrolls and is pushable; held, TokenUpdate wakes nothing', async () => {
    const key = await loadOrCreateSecretsKey(join(dir.path, 'secrets.key'), { create: true });
    const cache = new StateCache<DeviceState>();
    for (const all of [false, true]) {
      const pushable: string[] = [];
      const checkIn = new CheckInService(store, new AesGcmSecretBox(key.key), systemClock, cache, { onPushable: (u) => pushable.push(u), admission: new EnrollmentAdmission(store, systemClock, { all }, enrollments) });
      const { enrollmentId } = await enrollments.begin({ method: 'token', user: 'carol' });
      const sha = (all ? '71' : '70').repeat(32);
      await recorder.recordIssued(issued(sha, enrollmentId));
      const udid = `UDID-${all}`;
      const identity = { certificateHash: sha, remoteAddress: '127.0.0.1', subjectCommonName: enrollmentId };
      expect(await checkIn.handle({ messageType: 'Authenticate', udid, topic: TOPIC, facts: {} }, identity)).to.deep.equal({ kind: 'ok' });
      expect(await checkIn.handle({ messageType: 'TokenUpdate', udid, topic: TOPIC, token: Buffer.from('0a', 'hex'), pushMagic: 'pm' }, identity)).to.deep.equal({ kind: 'ok' });
      const state = await loadDeviceState(store, cache, udid);
      expect(state.status).to.equal('enrolled');
      expect(state.enrollment).to.deep.equal({ enrollmentId, user: 'carol' });
      expect(await steps(enrollmentId)).to.deep.equal(['EnrollmentStarted', 'EnrollmentIdentityIssued', 'EnrollmentDeviceAuthenticated', ...(all ? ['EnrollmentQuarantined'] : [])]);
      expect(state.quarantine?.status).to.equal(all ? 'held' : undefined);
      expect(pushable).to.deep.equal(all ? [] : [udid]);
      // The identity of an enrollment refuses any other device: answered as an identity refusal.
      expect(await checkIn.handle({ messageType: 'Authenticate', udid: 'SOMEONE-ELSE', topic: TOPIC, facts: {} }, identity)).to.deep.equal({ kind: 'refused', reason: 'enrollment-device-mismatch' });
    }
  });
});
