import { expect } from 'chai';
import { join } from 'node:path';
import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { CheckInService } from '../../application/mdm/check-in-service.js';
import type { RevocationLookup } from '../../application/mdm/identity-succession.js';
import type { PresentedIdentity } from '../../application/mdm/messages.js';
import { systemClock } from '../../application/ports/clock.js';
import { StateCache } from '../../application/state-cache.js';
import type { RevocationReason } from '../../domain/certificate/certificate-revocation.js';
import { deviceStreamId } from '../../domain/device/device.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { AesGcmSecretBox } from '../../infrastructure/pki/aes-gcm-secret-box.js';
import { tempDir } from '../support/temp-dir.js';

const topic = 'com.apple.mgmt.External.0c7d4e1a-2b3f-4a5c-9d8e-7f6a5b4c3d2e';
const DAY = 24 * 3600_000;
const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);

describe('CheckInService: which certificate may replace the one a device is bound to', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  const revoked = new Map<string, RevocationReason>();
  const revocationOf: RevocationLookup = async (sha256) => revoked.get(sha256);
  let checkIns: CheckInService;
  let udid: string;
  let n = 0;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteEventStore(join(dir.path, 'events.db'));
    revoked.clear();
    checkIns = new CheckInService(store, new AesGcmSecretBox(Buffer.alloc(32, 7)), systemClock, new StateCache(), { revocationOf });
    udid = `UDID-SUCCESSION-${++n}`;
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  const identity = (certificateHash: string, notAfter = new Date(Date.now() + 300 * DAY)): PresentedIdentity => ({ certificateHash, remoteAddress: '127.0.0.1', notAfter: notAfter.toISOString() });
  const authenticate = (who: PresentedIdentity) => checkIns.handle({ messageType: 'Authenticate', udid, topic, facts: {} }, who);
  async function enrollWith(who: PresentedIdentity): Promise<void> {
    expect(await authenticate(who)).to.deep.equal({ kind: 'ok' });
    expect(await checkIns.handle({ messageType: 'TokenUpdate', udid, topic, token: Buffer.from('0a0b', 'hex'), pushMagic: 'pm' }, who)).to.deep.equal({ kind: 'ok' });
  }
  const issued = (sha256: string, renewalOf?: string) => new IssuedCertificates(store, systemClock).recordIssued({
    serialNumber: sha256.slice(0, 16), subject: { commonName: udid }, notBefore: new Date(), notAfter: new Date(Date.now() + 365 * DAY), sha256,
    messageType: 'PKCSReq', transactionId: `t-${sha256.slice(0, 8)}`, ...(renewalOf ? { renewalOf, udid } : {}),
  });
  const lastType = async () => (await store.readStream(deviceStreamId(udid))).at(-1)?.type;

  it('refuses a certificate with no record of renewing the bound one, and one that renews another certificate', async () => {
    await enrollWith(identity(A));
    expect(await authenticate(identity(B))).to.deep.equal({ kind: 'refused', reason: 'rebind-refused' });
    await issued(B, 'c3'.repeat(32));
    expect(await authenticate(identity(B))).to.deep.equal({ kind: 'refused', reason: 'rebind-refused' });
    expect(await lastType()).to.equal('DeviceEnrolled');
  });

  it('rebinds to a renewal of the bound certificate', async () => {
    await enrollWith(identity(A));
    await issued(B, A);
    expect(await authenticate(identity(B))).to.deep.equal({ kind: 'ok' });
    expect(await lastType()).to.equal('DeviceCertificateRebound');
  });

  it('a bound certificate revoked as superseded ends nothing; any other revocation lets the device enroll anew', async () => {
    await enrollWith(identity(A));
    revoked.set(A, 'superseded');
    expect(await authenticate(identity(B))).to.deep.equal({ kind: 'refused', reason: 'rebind-refused' });
    revoked.set(A, 'key-compromise');
    expect(await authenticate(identity(B))).to.deep.equal({ kind: 'ok' });
    const started = (await store.readStream(deviceStreamId(udid))).at(-1)!;
    expect(started.type).to.equal('DeviceEnrollmentStarted');
    expect(started.data).to.deep.include({ certificateHash: B, reenrollment: true, previousIdentity: { certificateHash: A, ended: 'revoked' } });
  });

  it('a bound certificate past its notAfter (as recorded when it was bound) lets the device enroll anew, without any revocation lookup', async () => {
    const plain = new CheckInService(store, new AesGcmSecretBox(Buffer.alloc(32, 7)), systemClock, new StateCache());
    const expired = identity(A, new Date(Date.now() - 1000));
    expect(await plain.handle({ messageType: 'Authenticate', udid, topic, facts: {} }, expired)).to.deep.equal({ kind: 'ok' });
    expect(await plain.handle({ messageType: 'TokenUpdate', udid, topic, token: Buffer.from('0a0b', 'hex'), pushMagic: 'pm' }, expired)).to.deep.equal({ kind: 'ok' });
    expect(await plain.handle({ messageType: 'Authenticate', udid, topic, facts: {} }, identity(B))).to.deep.equal({ kind: 'ok' });
    expect((await store.readStream(deviceStreamId(udid))).at(-1)!.data).to.deep.include({ previousIdentity: { certificateHash: A, ended: 'expired' } });
  });
});
