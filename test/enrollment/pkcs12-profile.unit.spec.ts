import { expect } from 'chai';
import { buildEnrollmentProfile, type EnrollmentProfileInputs } from '../../infrastructure/enrollment/enrollment-profile.js';
import { buildXmlPlist, parsePlist, asDict, getArray } from '../../infrastructure/plist/index.js';

const inputs: EnrollmentProfileInputs = {
  publicUrl: 'https://mdm.example.com', topic: 'com.apple.mgmt.External.t', caCertificateDer: Buffer.from('30', 'hex'),
  challenge: 'the-scep-challenge', enrollmentId: 'e', organization: 'Org', signMessage: true, pinToCa: true,
};
const pkcs12 = { der: Buffer.from('3082000102', 'hex'), password: 'p12-password' };

const payloads = (profile: Record<string, unknown>) => profile['PayloadContent'] as Array<Record<string, unknown>>;

describe('enrollment profile with a PKCS#12 identity', () => {
  it('carries com.apple.security.pkcs12 (the PKCS#12 bytes and its password) where the SCEP payload would be, and the MDM payload points at it', () => {
    const [ca, identity, mdm] = payloads(buildEnrollmentProfile({ ...inputs, pkcs12 }));
    expect(ca!['PayloadType']).to.equal('com.apple.security.root');
    expect(identity!['PayloadType']).to.equal('com.apple.security.pkcs12');
    expect(identity!['PayloadContent']).to.deep.equal(pkcs12.der);
    expect(identity!['Password']).to.equal('p12-password');
    expect(mdm!['PayloadType']).to.equal('com.apple.mdm');
    expect(mdm!['IdentityCertificateUUID']).to.equal(identity!['PayloadUUID']);
    expect(mdm!['ServerURLPinningCertificateUUIDs']).to.deep.equal([ca!['PayloadUUID']]);
  });

  it('keeps the SCEP payload\'s identifier, so either kind of profile replaces the other identity, and leaves the SCEP challenge out', () => {
    const scep = payloads(buildEnrollmentProfile(inputs))[1]!;
    const p12 = payloads(buildEnrollmentProfile({ ...inputs, pkcs12 }))[1]!;
    expect(scep['PayloadType']).to.equal('com.apple.security.scep');
    expect(p12['PayloadIdentifier']).to.equal(scep['PayloadIdentifier']);
    expect(buildXmlPlist(buildEnrollmentProfile({ ...inputs, pkcs12 }))).to.not.contain('the-scep-challenge');
  });

  it('round-trips through the XML plist with the PKCS#12 as <data>', () => {
    const parsed = asDict(parsePlist(Buffer.from(buildXmlPlist(buildEnrollmentProfile({ ...inputs, pkcs12 })))));
    const identity = asDict(getArray(parsed, 'PayloadContent')[1]);
    expect(Buffer.isBuffer(identity['PayloadContent'])).to.equal(true);
    expect((identity['PayloadContent'] as Buffer).equals(pkcs12.der)).to.equal(true);
  });
});
