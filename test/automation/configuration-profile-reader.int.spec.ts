import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/shared/domain-error.js';
import { configurationProfileReader } from '../../infrastructure/profiles/configuration-profile-reader.js';
import { buildXmlPlist } from '../../infrastructure/plist/index.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';
import { opensslAvailable, pythonAvailable, signWithOpenssl, toBinaryWithPython, wifiProfile } from './profile-fixtures.js';

function refusal(bytes: Buffer): string {
  try {
    configurationProfileReader.read(bytes);
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    expect((error as DomainError).code).to.equal('invalid-profile');
    return (error as DomainError).message;
  }
  throw new Error('the profile was accepted');
}

describe('configuration profile reader', () => {
  it('reads an XML profile', () => {
    const summary = configurationProfileReader.read(wifiProfile());
    expect(summary).to.deep.include({ payloadType: 'Configuration', payloadIdentifier: 'com.example.wifi', displayName: 'Office Wi-Fi', organization: 'Example Corp', format: 'xml', signed: false, payloadTypes: ['com.apple.wifi.managed'] });
    expect(summary.payloadUuid).to.match(/^[0-9A-F-]{36}$/);
  });

  it('reads a binary profile written by python3 plistlib', function () {
    if (!pythonAvailable) {
      console.log('      (python3 missing: binary profile not checked)');
      this.skip();
    }
    const summary = configurationProfileReader.read(toBinaryWithPython(wifiProfile()));
    expect(summary).to.deep.include({ payloadIdentifier: 'com.example.wifi', format: 'binary', signed: false });
  });

  it('reads the profile inside a CMS signature made by openssl, and refuses a detached one', async function () {
    if (!opensslAvailable) {
      console.log('      (openssl missing: signed profiles not checked)');
      this.skip();
    }
    const ca = await createTestCa('Profile signing CA');
    const signer = await issueDeviceIdentity(ca, 'profile-signer');
    const signed = signWithOpenssl(wifiProfile({ identifier: 'com.example.signed' }), signer);
    expect(configurationProfileReader.read(signed)).to.deep.include({ payloadIdentifier: 'com.example.signed', format: 'xml', signed: true });
    if (pythonAvailable) {
      expect(configurationProfileReader.read(signWithOpenssl(toBinaryWithPython(wifiProfile()), signer))).to.deep.include({ format: 'binary', signed: true });
    }
    expect(refusal(signWithOpenssl(wifiProfile(), signer, true))).to.match(/detached/);
  });

  it('reports the top-level PayloadType as it is (the library refuses anything but Configuration)', () => {
    const payload = Buffer.from(buildXmlPlist({ PayloadType: 'com.apple.wifi.managed', PayloadIdentifier: 'x', PayloadUUID: 'y' }));
    expect(configurationProfileReader.read(payload).payloadType).to.equal('com.apple.wifi.managed');
  });

  it('refuses what is not a profile, naming what is wrong', () => {
    expect(refusal(Buffer.from('hello'))).to.match(/property list/);
    expect(refusal(Buffer.from(buildXmlPlist(['a'])))).to.match(/dict/);
    expect(refusal(Buffer.from(buildXmlPlist({ PayloadType: 'Configuration', PayloadUUID: 'u' })))).to.match(/PayloadIdentifier/);
    expect(refusal(Buffer.from(buildXmlPlist({ PayloadType: 'Configuration', PayloadIdentifier: 7, PayloadUUID: 'u' })))).to.match(/PayloadIdentifier/);
    expect(refusal(Buffer.from(buildXmlPlist({ PayloadType: 'Configuration', PayloadIdentifier: 'i', PayloadUUID: 'u', PayloadContent: [{}] })))).to.match(/PayloadType/);
    expect(refusal(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).to.match(/signed profile/);
  });

  it('never fails other than with a refusal, whatever the bytes', () => {
    for (let i = 0; i < 300; i++) {
      const bytes = randomBytes(1 + (i % 64));
      if (i % 3 === 0) bytes[0] = 0x30;
      try {
        configurationProfileReader.read(bytes);
      } catch (error) {
        expect(error, `input ${bytes.toString('hex')}`).to.be.instanceOf(DomainError);
      }
    }
  });
});
