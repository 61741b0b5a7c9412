import { expect } from 'chai';
import type { PushCertificateInfo } from '../../application/ports/push-sender.js';
import { pushCertificateStatus } from '../../application/push/push-certificate-status.js';

const DAY = 24 * 60 * 60 * 1000;
const notAfter = new Date('2026-03-01T12:00:00.000Z');
const info: PushCertificateInfo = {
  topic: 'com.apple.mgmt.External.11111111-2222-3333-4444-555555555555',
  subject: 'UID=com.apple.mgmt.External.11111111-2222-3333-4444-555555555555, CN=APSP:11111111-2222-3333-4444-555555555555',
  notBefore: new Date(notAfter.getTime() - 365 * DAY),
  notAfter,
  serialNumber: '01',
  sha256: '00'.repeat(32),
};
const daysBefore = (days: number) => new Date(notAfter.getTime() - days * DAY);

describe('pushCertificateStatus', () => {
  it('is ok more than 30 days ahead', () => {
    expect(pushCertificateStatus(info, daysBefore(31))).to.deep.equal({ status: 'ok', topic: info.topic, notAfter: notAfter.toISOString(), daysLeft: 31 });
  });

  it('warns from 30 days ahead, naming the topic and the date, and saying to renew rather than replace', () => {
    for (const days of [30, 29, 1, 0.01]) {
      const status = pushCertificateStatus(info, daysBefore(days));
      expect(status.status, `${days} days`).to.equal('expiring');
      expect(status).to.have.property('daysLeft', Math.floor(days));
      expect((status as { message: string }).message).to.include(info.topic).and.include(notAfter.toISOString()).and.include('same topic');
    }
  });

  it('is expired from notAfter on', () => {
    for (const now of [notAfter, new Date(notAfter.getTime() + DAY)]) {
      const status = pushCertificateStatus(info, now);
      expect(status.status).to.equal('expired');
      expect((status as { message: string }).message).to.include('expired');
    }
  });

  it('takes another warning period', () => {
    expect(pushCertificateStatus(info, daysBefore(45), 60).status).to.equal('expiring');
  });
});
