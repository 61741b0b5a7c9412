import { expect } from 'chai';
import { join } from 'node:path';
import { CertificateRevocations, REVOCATIONS_STREAM } from '../../application/certificates/certificate-revocations.js';
import { IssuedCertificates } from '../../application/certificates/issued-certificates.js';
import { handleCommand } from '../../application/command-handling.js';
import { systemClock } from '../../application/ports/clock.js';
import { certificateBindingDecider, certificateStreamId } from '../../domain/certificate/certificate-binding.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { SqliteEventStore } from '../../infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { tempDir } from '../support/temp-dir.js';
import { eachSqliteStore } from '../support/sqlite-store-each.js';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const admin = { kind: 'admin' as const, id: 'alice' };

describe('CertificateRevocations (SQLite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  eachSqliteStore((s, d) => {
    store = s;
    dir = d;
  });

  it('revokes once: a second revocation, for any reason, changes nothing', async () => {
    const revocations = new CertificateRevocations(store, systemClock);
    await revocations.refresh();
    expect(revocations.isRevoked(hash(1))).to.equal(false);
    expect(await revocations.revoke({ sha256: hash(1), reason: 'checked-out', actor: { kind: 'device', id: 'UDID-1' } })).to.equal('revoked');
    expect(revocations.isRevoked(hash(1))).to.equal(true);
    expect(await revocations.revoke({ sha256: hash(1), reason: 'admin', actor: admin })).to.equal('already-revoked');
    const events = await store.readStream(REVOCATIONS_STREAM);
    expect(events.map((e) => e.type)).to.deep.equal(['CertificateRevoked']);
    expect(events[0]!.data).to.include({ sha256: hash(1), reason: 'checked-out', revokedBy: 'device:UDID-1' });
    expect(events[0]!.metadata.actor).to.deep.equal({ kind: 'device', id: 'UDID-1' });
  });

  it('takes the serial number and expiry from the SCEP record, else from the binding, else from the caller', async () => {
    await new IssuedCertificates(store, systemClock).recordIssued({
      serialNumber: '5a01', subject: { commonName: 'UDID-2' }, notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z'),
      sha256: hash(2), messageType: 'PKCSReq', transactionId: 't1',
    });
    await handleCommand(store, certificateBindingDecider, certificateStreamId(hash(3)), {
      commandId: '6f1c1d52-7f4e-4b59-9a34-0c1d2e3f4a5b', actor: { kind: 'device', id: 'UDID-3' }, occurredAt: '2025-01-02T00:00:00.000Z',
      command: { type: 'BindCertificate', certificateHash: hash(3), udid: 'UDID-3', serialNumber: '6b02', notAfter: '2026-02-01T00:00:00.000Z', at: '2025-01-02T00:00:00.000Z' },
    });
    const revocations = new CertificateRevocations(store, systemClock);
    await revocations.revoke({ sha256: hash(2), reason: 'wiped', actor: admin });
    await revocations.revoke({ sha256: hash(3), reason: 'checked-out', actor: admin });
    await revocations.revoke({ sha256: hash(4), reason: 'admin', actor: admin, serialNumber: '7C03', notAfter: '2026-03-01T00:00:00.000Z' });
    await revocations.revoke({ sha256: hash(5), reason: 'admin', actor: admin });
    // A DER INTEGER's sign octet is no part of the serial; 21 significant octets cannot be one.
    await revocations.revoke({ sha256: hash(6), reason: 'admin', actor: admin, serialNumber: `00${'f'.repeat(40)}`, notAfter: '2026-03-01T00:00:00.000Z' });
    await revocations.revoke({ sha256: hash(8), reason: 'admin', actor: admin, serialNumber: 'a'.repeat(42), notAfter: '2026-03-01T00:00:00.000Z' });
    expect(revocations.revocationOf(hash(6))).to.include({ serialNumber: 'f'.repeat(40) });
    expect(revocations.revocationOf(hash(8))).to.not.have.property('serialNumber');
    expect(revocations.revocationOf(hash(2))).to.include({ serialNumber: '5a01', notAfter: '2026-01-01T00:00:00.000Z' });
    expect(revocations.revocationOf(hash(3))).to.include({ serialNumber: '6b02', notAfter: '2026-02-01T00:00:00.000Z' });
    expect(revocations.revocationOf(hash(4))).to.include({ serialNumber: '7c03', notAfter: '2026-03-01T00:00:00.000Z' });
    expect(revocations.revocationOf(hash(5))).to.not.have.property('serialNumber');
    expect(revocations.list().map((r) => r.sha256)).to.deep.equal([hash(2), hash(3), hash(4), hash(5), hash(6), hash(8)]);
  });

  it('refuses bad input before anything is read or appended', async () => {
    const revocations = new CertificateRevocations(store, systemClock);
    for (const bad of [{ sha256: 'not-a-hash', reason: 'admin' }, { sha256: hash(1), reason: 'because' }, { sha256: hash(1), reason: 'admin', serialNumber: 'zz' }]) {
      const error = await revocations.revoke({ ...bad, actor: admin } as never).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DomainError);
    }
    expect(await store.readStream(REVOCATIONS_STREAM)).to.deep.equal([]);
  });

  it('sees what another process revoked at its next refresh, and two processes revoking at once lose nothing', async () => {
    // Two connections on one file, as the server and the CLI have.
    const other = new SqliteEventStore(join(dir.path, 'events.db'));
    try {
      const server = new CertificateRevocations(store, systemClock);
      const cli = new CertificateRevocations(other, systemClock);
      await server.refresh();
      await cli.revoke({ sha256: hash(7), reason: 'admin', actor: admin });
      expect(server.isRevoked(hash(7))).to.equal(false);
      await server.refresh();
      expect(server.isRevoked(hash(7))).to.equal(true);
      // Both believe the stream ends where it does now; each append conflicts with the other's.
      const racing = await Promise.all([
        ...[10, 11, 12, 13].map((n) => server.revoke({ sha256: hash(n), reason: 'checked-out', actor: admin })),
        ...[20, 21, 22, 23].map((n) => cli.revoke({ sha256: hash(n), reason: 'superseded', actor: admin })),
        server.revoke({ sha256: hash(30), reason: 'wiped', actor: admin }),
        cli.revoke({ sha256: hash(30), reason: 'admin', actor: admin }),
      ]);
      expect(racing.filter((o) => o === 'revoked')).to.have.length(9);
      await Promise.all([server.refresh(), cli.refresh()]);
      const all = (await store.readStream(REVOCATIONS_STREAM)).map((e) => (e.data as { sha256: string }).sha256);
      expect(all).to.have.length(10);
      expect(new Set(all).size).to.equal(10);
      expect(server.list().map((r) => r.sha256).sort()).to.deep.equal([...all].sort());
      expect(cli.list().map((r) => r.sha256).sort()).to.deep.equal([...all].sort());
    } finally {
      await other.close();
    }
  });
});
