import { expect } from 'chai';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { BULK_COMMAND_EVENT_TYPES } from '../../domain/bulk-command/bulk-command.js';
import { DEVICE_GROUP_EVENT_TYPES } from '../../domain/device-group/device-group.js';
import { RESULT_KINDS } from '../../domain/device/queue/events.js';
import { auditEntry, auditHistoryProjection, type AuditEntry } from '../../projections/audit-history.js';
import { KNOWN_EVENT_TYPES, summarize } from '../../projections/audit-summaries.js';
import { DeviceScript, UDID } from './device-script.js';
import { EventLog, expectPlainJson, fold, t } from './event-log.js';

const admin = { kind: 'admin' as const, id: 'alice' };

describe('audit-history projection', () => {
  it('writes one entry per event, keyed by the zero-padded position so ids sort as the store does', () => {
    const device = new DeviceScript().authenticate(t(0)).tokenUpdate(t(1));
    device.queue('DeviceLock', t(2));
    device.checkOut(t(3));
    const log = device.log;
    log.append('device-group-sales', 'DeviceGroupCreated', { name: 'sales', description: '', quarantine: false, createdBy: 'admin:alice', createdAt: t(4) }, { actor: admin });
    const entries = fold(auditHistoryProjection, log.events);
    expect(entries.size).to.equal(log.events.length);
    const ids = [...entries.keys()];
    expect(ids[0]).to.equal('0000000000000001');
    expect([...ids].sort()).to.deep.equal(ids);
    for (const entry of entries.values()) expectPlainJson(entry);

    const queued = [...entries.values()].find((e) => e.type === 'CommandQueued')!;
    expect(queued).to.deep.include({ summary: 'Command DeviceLock queued by admin:alice', actor: 'admin:alice', actorKind: 'admin', actorId: 'alice', udid: UDID, at: t(2), streamId: `device-${UDID}`, correlationId: 'corr-1' });
    expect(queued.causationId).to.be.a('string');
    expect([...entries.values()].find((e) => e.type === 'DeviceCheckedOut')).to.deep.include({ summary: 'Device checked out', actor: `device:${UDID}` });
    expect([...entries.values()].find((e) => e.type === 'CommandCancelled')!.summary).to.equal('Command cmd-0001 cancelled by device (checked-out)');
    const group = [...entries.values()].find((e) => e.type === 'DeviceGroupCreated')!;
    expect(group.udid, 'a group stream is not a device stream').to.equal(undefined);
    expect(group.summary).to.equal('Device group sales created by admin:alice');
  });

  it('has its own sentence for every event type the server writes, and a generic one for others', () => {
    const writtenOutsideTheDomain = ['BlobStored', 'AutomationCheckpointed', 'CertificateIssued'];
    const fromDomainLists = [...DEVICE_GROUP_EVENT_TYPES, ...BULK_COMMAND_EVENT_TYPES, ...RESULT_KINDS.map((k) => `${k}Reported`)];
    expect([...KNOWN_EVENT_TYPES]).to.include.members([...writtenOutsideTheDomain, ...fromDomainLists, 'DeviceIdentityRefused', 'UserCreated', 'PushCertificateInstalled', 'CertificateRevoked']);
    for (const type of KNOWN_EVENT_TYPES) {
      const summary = summarize(type, {});
      expect(summary, type).to.be.a('string').and.not.equal(`${type} recorded`);
      expect(auditHistoryProjection.handles.has(type), type).to.equal(true);
    }
    expect(summarize('SomethingNew', { password: 'x' })).to.equal('SomethingNew recorded');
    expect(summarize('DeviceEnrolled', null)).to.equal('Device enrolled (push topic ?)');
  });

  it('records event types it does not know too (allEvents), and takes the udid an event names', () => {
    const log = new EventLog();
    log.append('security-2026-11-01', 'DeviceIdentityRefused', { reason: 'udid-mismatch', remoteAddress: '192.0.2.7', udid: 'CLAIMED-UDID', refusedAt: t(1) }, { actor: { kind: 'system', id: 'device-endpoint' } });
    log.append('future-stream', 'FeatureNobodyKnowsYet', { note: 'x' });
    log.append('enrollment-e1', 'EnrollmentDeviceAttributesReceived', { enrollmentId: 'e1', attributes: { udid: 'OTA-UDID' }, receivedAt: t(3) });
    const entries = [...fold(auditHistoryProjection, log.events).values()];
    expect(entries.map((e) => [e.type, e.udid, e.summary])).to.deep.equal([
      ['DeviceIdentityRefused', 'CLAIMED-UDID', 'Device request refused (udid-mismatch) from 192.0.2.7'],
      ['FeatureNobodyKnowsYet', undefined, 'FeatureNobodyKnowsYet recorded'],
      ['EnrollmentDeviceAttributesReceived', 'OTA-UDID', 'Enrollment e1 received device attributes from OTA-UDID'],
    ]);
    expect(auditHistoryProjection.allEvents).to.equal(true);
  });

  it('never copies a secret into an entry: sealed values, unlock tokens, challenges, passwords, keys', () => {
    const secrets = ['SEALED-UNLOCK-TOKEN-8f3a', 'SEALED-PASSWORD-HASH-77c1', 'SEALED-BLOB-CONTENT-19de', 'TOKEN-SECRET-HASH-5b2e', 'CHALLENGE-HASH-0c4d', 'SEALED-PIN-6a6a', 'hunter2-clear', '-----BEGIN PRIVATE KEY-----MIIEv'];
    const log = new EventLog();
    const device = `device-${UDID}`;
    log.append(device, 'DeviceEnrolled', { udid: UDID, topic: 't', pushToken: '0a0b', pushMagic: 'PM', unlockToken: { sealed: secrets[0], fingerprint: 'f' }, enrolledAt: t(1) });
    log.append(device, 'PushTokenUpdated', { udid: UDID, topic: 't', pushToken: '0a0c', pushMagic: 'PM', unlockToken: { sealed: secrets[0], fingerprint: 'g' }, updatedAt: t(2) });
    log.append('user-alice', 'UserCreated', { username: 'alice', passwordHash: secrets[1], createdBy: 'admin:root', createdAt: t(3) }, { actor: admin });
    log.append('user-alice', 'UserPasswordChanged', { username: 'alice', passwordHash: secrets[1], changedBy: 'admin:root', changedAt: t(4) });
    log.append('blob-ab', 'BlobStored', { sha256: 'ab'.repeat(32), size: 10, mediaType: 'application/x-apple-aspen-config', sealedContent: secrets[2] });
    log.append('enrollment-token-t1', 'EnrollmentTokenCreated', { tokenId: 't1', secretHash: secrets[3], maxUses: 1, expiresAt: t(99), createdBy: 'admin:alice', createdAt: t(5) });
    log.append('scep-challenge-h1', 'ScepChallengeIssued', { challengeHash: secrets[4], enrollmentId: 'e1', expiresAt: t(9), issuedAt: t(6) });
    log.append('renewal-challenge-h2', 'RenewalChallengeIssued', { challengeHash: secrets[4], udid: UDID, renewalOf: 'aa', expiresAt: t(9), issuedAt: t(6) });
    log.append(device, 'CommandQueued', { commandUuid: 'c1', request: { requestType: 'DeviceLock', PIN: { sealed: secrets[5] } }, priority: 90, queuedAt: t(7), expiresAt: t(99), queuedBy: 'admin:alice' });
    log.append('other', 'SomethingNew', { password: secrets[6], privateKey: secrets[7] });
    const entries = [...fold(auditHistoryProjection, log.events).values()];
    expect(entries).to.have.length(10);
    const stored = JSON.stringify(entries);
    for (const secret of secrets) expect(stored, secret).to.not.include(secret);
  });

  it('keeps summaries short and on one line whatever an event holds', () => {
    const event: RecordedEvent = {
      streamId: `device-${UDID}`, revision: 0, position: 42, eventId: '00000000-0000-4000-8000-000000000042', type: 'DeviceUnenrollmentRequested',
      data: { udid: UDID, reason: `lost\nFAKE LOG LINE ${'y'.repeat(500)}`, requestedBy: 'admin:alice', requestedAt: t(1) },
      metadata: { prevHash: '', hash: '', actor: { kind: 'admin', id: 'alice' }, correlationId: 'z'.repeat(300) }, recordedAt: t(2),
    };
    const entry: AuditEntry = auditEntry(event);
    expect(entry.summary).to.not.include('\n');
    expect(entry.summary.length).to.be.lessThan(200);
    expect(entry.at, 'no occurredAt: the commit time').to.equal(t(2));
    expect(entry.correlationId, 'an oversized id is left out').to.equal(undefined);
    expect(auditHistoryProjection.documentId(event)).to.equal('0000000000000042');
    expect(auditHistoryProjection.indexes!.map((i) => i.fields.map((f) => f.path).join('+'))).to.have.members(['at+position', 'udid+at+position', 'actor+at+position', 'type+at+position']);
  });
});
