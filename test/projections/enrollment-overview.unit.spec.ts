import { expect } from 'chai';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { enrollmentOverview, type EnrollmentOverview } from '../../projections/enrollment-overview.js';

let position = 0;
function recorded(streamId: string, type: string, data: Record<string, unknown>, at = '2026-11-01T10:00:00.000Z'): RecordedEvent {
  position++;
  return { streamId, revision: 0, position, eventId: `e${position}`, type, data, metadata: { prevHash: '', hash: '', occurredAt: at }, recordedAt: at };
}

function project(events: RecordedEvent[]): Map<string, EnrollmentOverview> {
  const docs = new Map<string, EnrollmentOverview>();
  for (const e of events) {
    if (!enrollmentOverview.handles.has(e.type)) continue;
    const id = enrollmentOverview.documentId(e);
    if (id === undefined) continue;
    const next = enrollmentOverview.apply(docs.get(id), e);
    if (next === null) docs.delete(id);
    else docs.set(id, next);
  }
  return docs;
}

describe('enrollment overview projection', () => {
  it('follows an enrollment to its furthest step and its quarantine decision', () => {
    const s = 'enrollment-E1';
    const docs = project([
      recorded(s, 'EnrollmentStarted', { enrollmentId: 'E1', method: 'token', user: 'alice', group: 'sales', startedAt: '2026-11-01T10:00:00.000Z' }),
      recorded(s, 'EnrollmentProfileServed', { enrollmentId: 'E1', profile: 'mdm', signed: true, encrypted: false }),
      recorded(s, 'EnrollmentIdentityIssued', { enrollmentId: 'E1', certificateSha256: 'aa' }),
      recorded(s, 'EnrollmentDeviceAuthenticated', { enrollmentId: 'E1', udid: 'U1', certificateSha256: 'aa' }),
      recorded(s, 'EnrollmentQuarantined', { enrollmentId: 'E1', udid: 'U1' }),
      // The device's copy of the decision is left to the enrollment.
      recorded('device-U1', 'DeviceQuarantined', { udid: 'U1', certificateHash: 'aa', enrollmentId: 'E1', quarantinedAt: '2026-11-01T10:00:00.000Z' }),
      // A late, repeated step never moves the enrollment back.
      recorded(s, 'EnrollmentProfileServed', { enrollmentId: 'E1', profile: 'mdm', signed: true, encrypted: false }, '2026-11-01T11:00:00.000Z'),
    ]);
    expect([...docs.keys()]).to.deep.equal(['E1']);
    expect(docs.get('E1')).to.deep.equal({ enrollmentId: 'E1', method: 'token', user: 'alice', group: 'sales', udid: 'U1', step: 'device-authenticated', quarantine: 'quarantined', startedAt: '2026-11-01T10:00:00.000Z', updatedAt: '2026-11-01T11:00:00.000Z' });
    expect(project([recorded(s, 'EnrollmentApproved', { enrollmentId: 'E1' })]).size, 'a step without its start is not listed').to.equal(0);
  });

  it('lists a device quarantined without an enrollment until a new certificate starts over', () => {
    const held = recorded('device-U2', 'DeviceQuarantined', { udid: 'U2', certificateHash: 'bb', quarantinedAt: '2026-11-02T00:00:00.000Z' });
    expect(project([held]).get('device:U2')).to.deep.include({ udid: 'U2', quarantine: 'quarantined', step: 'device-authenticated' });
    expect(project([held, recorded('device-U2', 'DeviceRejected', { udid: 'U2', certificateHash: 'bb', rejectedBy: 'a', rejectedAt: '2026-11-03T00:00:00.000Z' })]).get('device:U2')).to.deep.include({ quarantine: 'rejected', updatedAt: '2026-11-03T00:00:00.000Z' });
    const restarted = recorded('device-U2', 'DeviceEnrollmentStarted', { udid: 'U2', certificateHash: 'cc', enrollmentId: 'E9', startedAt: '2026-11-04T00:00:00.000Z' });
    expect(project([held, restarted]).size).to.equal(0);
    const sameCertificate = recorded('device-U2', 'DeviceEnrollmentStarted', { udid: 'U2', certificateHash: 'bb', startedAt: '2026-11-04T00:00:00.000Z' });
    expect(project([held, sameCertificate]).get('device:U2')).to.deep.include({ quarantine: 'quarantined' });
  });
});
