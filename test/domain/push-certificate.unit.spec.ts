import { expect } from 'chai';
import { pushCertificateDecider, type PushCertificateCommand, type PushCertificateEvent, type PushCertificateFacts } from '../../domain/push/push-certificate.js';
import { DomainError } from '../../domain/shared/domain-error.js';
import { deciderSpec } from '../support/decider-spec.js';

const spec = deciderSpec(pushCertificateDecider);
const topicA = 'com.apple.mgmt.External.aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const topicB = 'com.apple.mgmt.External.bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';
const t0 = '2026-11-01T10:00:00.000Z';
const t1 = '2027-10-20T10:00:00.000Z';

const certificate = (over: Partial<PushCertificateFacts> = {}): PushCertificateFacts => ({
  topic: topicA,
  subject: `UID=${topicA}, CN=APSP:aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa, C=US`,
  serialNumber: '0a1b',
  sha256: 'aa'.repeat(32),
  notBefore: '2026-10-31T10:00:00.000Z',
  notAfter: '2027-10-31T10:00:00.000Z',
  ...over,
});
const install = (over: Partial<PushCertificateCommand> = {}): PushCertificateCommand => ({
  type: 'InstallPushCertificate', certificate: certificate(), allowTopicChange: false, installedBy: 'admin:alice', at: t0, ...over,
});
const installed = (facts: PushCertificateFacts, at = t0, over: Partial<PushCertificateEvent['data']> = {}): PushCertificateEvent => ({
  type: 'PushCertificateInstalled', data: { ...facts, installedBy: 'admin:alice', installedAt: at, ...over },
});

const renewal = certificate({ sha256: 'bb'.repeat(32), serialNumber: '0c2d', notBefore: '2027-10-19T10:00:00.000Z', notAfter: '2028-10-19T10:00:00.000Z' });
const otherTopic = certificate({ topic: topicB, sha256: 'cc'.repeat(32), notAfter: '2028-10-19T10:00:00.000Z' });

describe('Push certificate history', () => {
  it('given nothing installed, when a certificate is installed, then it is recorded', () => {
    spec.given([]).when(install()).then([installed(certificate())]);
  });

  it('given a certificate, when its renewal for the same topic is installed, then the renewal is recorded', () => {
    spec.given([installed(certificate())]).when(install({ certificate: renewal, at: t1 })).then([installed(renewal, t1)]);
  });

  it('given a certificate, when the same one is installed again, then nothing is recorded', () => {
    spec.given([installed(certificate())]).when(install({ at: t1 })).thenNothing();
  });

  it('given a certificate for topic A, when one for topic B is installed, then it is refused naming both topics', () => {
    spec.given([installed(certificate())]).when(install({ certificate: otherTopic, at: t1 })).thenThrows('push-topic-change');
    const state = pushCertificateDecider.evolve(pushCertificateDecider.initialState(), installed(certificate()));
    expect(() => pushCertificateDecider.decide(install({ certificate: otherTopic, at: t1 }), state))
      .to.throw(DomainError).with.property('message').that.contains(topicA).and.contains(topicB).and.contains('orphaned');
  });

  it('given a certificate for topic A, when topic B is installed with the topic change allowed, then the replaced topic is recorded', () => {
    spec.given([installed(certificate())]).when(install({ certificate: otherTopic, allowTopicChange: true, at: t1 }))
      .then([installed(otherTopic, t1, { replacedTopic: topicA })]);
  });

  it('given nothing recorded, when the topic in use (from configuration) differs, then it is refused', () => {
    spec.given([]).when(install({ certificate: otherTopic, topicInUse: topicA })).thenThrows('push-topic-change');
  });

  it('given a history for topic A, when the certificate in use is for topic B, then B is the topic that counts', () => {
    spec.given([installed(certificate())]).when(install({ certificate: otherTopic, topicInUse: topicB, at: t1 })).then([installed(otherTopic, t1)]);
  });

  it('refuses an expired certificate', () => {
    spec.given([]).when(install({ at: '2027-10-31T10:00:00.000Z' })).thenThrows('push-certificate-expired');
  });
});
