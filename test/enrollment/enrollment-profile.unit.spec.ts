import { expect } from 'chai';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../infrastructure/enrollment/enrollment-profile.js';

const inputs: EnrollmentProfileInputs = {
  publicUrl: 'https://mdm.example.com:8443/', topic: 'com.apple.mgmt.External.t', caCertificateDer: Buffer.from('30', 'hex'),
  challenge: 'c', enrollmentId: 'e', organization: 'Org', signMessage: true, pinToCa: false,
};

const scepUrl = (profile: Record<string, unknown>) => {
  const payloads = profile['PayloadContent'] as Array<Record<string, unknown>>;
  const scep = payloads.find((p) => p['PayloadType'] === 'com.apple.security.scep')!;
  return (scep['PayloadContent'] as Record<string, unknown>)['URL'];
};

describe('enrollment profile SCEP URL', () => {
  it('is the device listener by default and the plain-HTTP listener when one is configured', () => {
    expect(scepUrl(buildEnrollmentProfile(inputs))).to.equal('https://mdm.example.com:8443/scep');
    expect(scepUrl(buildEnrollmentProfile({ ...inputs, scepUrl: 'http://mdm.example.com:8081/scep' }))).to.equal('http://mdm.example.com:8081/scep');
  });
});
