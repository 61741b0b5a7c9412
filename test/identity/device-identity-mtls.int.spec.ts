import { expect } from 'chai';
import { identityFixtures, IdentityHarness, type IdentityFixtures } from './identity-fixtures.js';

describe('deviceIdentity middleware: mTLS', function () {
  this.timeout(20_000);
  let f: IdentityFixtures;
  const harness = new IdentityHarness(() => f);

  before(async () => (f = await identityFixtures()));
  beforeEach(() => harness.start());
  afterEach(() => harness.stop());
  after(() => harness.expectNever401());

  it('accepts a device certificate of our CA and describes it', async () => {
    const response = await harness.put({ clientCertificate: f.device });
    expect(response.status).to.equal(200);
    expect(response.identity).to.deep.equal({
      certificateSha256: f.device.issued!.sha256,
      subjectCommonName: 'UDID-IDENTITY-1',
      serialNumber: f.device.issued!.serialNumber,
      notAfter: f.device.issued!.notAfter.toISOString(),
      source: 'mtls',
      certificateDerLength: f.device.der.length,
    });
    expect(harness.server!.failures).to.deep.equal([]);
  });

  it('answers 403 with an empty body when no certificate is presented', async () => {
    await harness.expectRefused({}, 'no-certificate');
    expect(harness.server!.failures[0]).to.deep.equal({
      reason: 'no-certificate',
      detail: 'no TLS client certificate, Mdm-Signature or Client-Cert',
      remoteAddress: '127.0.0.1',
    });
  });

  it("answers 403 to another CA's certificate", async () => {
    await harness.expectRefused({ clientCertificate: f.foreignDevice }, 'foreign-ca');
    expect(harness.server!.failures[0]!.detail).to.include(f.foreignDevice.issued!.sha256);
  });

  it('answers 403 to an expired certificate of our CA', async () => {
    await harness.expectRefused({ clientCertificate: f.expiredDevice }, 'expired');
  });

  it('verifies the chain once per certificate across connections (cache hit)', async () => {
    for (let i = 0; i < 3; i++) expect((await harness.put({ clientCertificate: f.device })).status).to.equal(200);
    expect(harness.ca.verifications).to.equal(1);
    expect((await harness.put({ clientCertificate: f.otherDevice })).status).to.equal(200);
    expect(harness.ca.verifications).to.equal(2);
  });

  it('refuses a cached certificate once the clock passes its notAfter', async () => {
    expect((await harness.put({ clientCertificate: f.device })).status).to.equal(200);
    harness.clock.set(new Date(f.device.issued!.notAfter.getTime() + 1));
    await harness.expectRefused({ clientCertificate: f.device }, 'expired');
  });

  it('prefers the TLS certificate over an Mdm-Signature header', async () => {
    const response = await harness.put({ clientCertificate: f.device, headers: { 'Mdm-Signature': 'not even base64!' } });
    expect(response.status).to.equal(200);
    expect(response.identity?.source).to.equal('mtls');
  });

  it('reports the failure after the 403, and a throwing recorder does not turn it into another status', async () => {
    await harness.stop();
    await harness.start({
      onFailure: () => {
        throw new Error('event store down');
      },
    });
    await harness.expectRefused({}, 'no-certificate');
    expect(harness.server!.errors.map((e) => (e as Error).message)).to.deep.equal(['event store down']);
  });
});
