import { expect } from 'chai';
import { mdmSignature, signDetachedCms } from '../support/cms-sign.js';
import { opensslAvailable, opensslSignDetached } from '../support/cms-sign-openssl.js';
import { identityFixtures, IdentityHarness, type IdentityFixtures } from './identity-fixtures.js';

const BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Status</key><string>Idle</string><key>UDID</key><string>UDID-IDENTITY-1</string></dict></plist>\n';

describe('deviceIdentity middleware: Mdm-Signature', function () {
  this.timeout(20_000);
  let f: IdentityFixtures;
  const harness = new IdentityHarness(() => f);

  before(async () => (f = await identityFixtures()));
  beforeEach(() => harness.start());
  afterEach(() => harness.stop());
  after(() => harness.expectNever401());

  for (const digest of ['sha1', 'sha256'] as const) {
    it(`accepts a forge-made ${digest} signature of the body`, async () => {
      const response = await harness.put({ body: BODY, headers: { 'Mdm-Signature': mdmSignature(BODY, f.device, { digest }) } });
      expect(response.status).to.equal(200);
      expect(response.identity).to.include({ source: 'mdm-signature', certificateSha256: f.device.issued!.sha256, subjectCommonName: 'UDID-IDENTITY-1' });
    });

    it(`accepts an openssl-made ${digest} signature of the body`, async function () {
      if (!opensslAvailable) {
        console.log('      (openssl not on PATH: skipping the openssl-signed request)');
        this.skip();
      }
      const signature = opensslSignDetached(BODY, f.device, { digest }).toString('base64');
      const response = await harness.put({ body: BODY, headers: { 'Mdm-Signature': signature } });
      expect(response.status).to.equal(200);
      expect(response.identity).to.include({ source: 'mdm-signature', certificateSha256: f.device.issued!.sha256 });
    });
  }

  it('answers 403 to a signature over a different body', async () => {
    await harness.expectRefused({ body: BODY.replace('Idle', 'Acknowledged'), headers: { 'Mdm-Signature': mdmSignature(BODY, f.device) } }, 'bad-signature');
  });

  it('checks the body on every request, even when the certificate is cached', async () => {
    const signature = mdmSignature(BODY, f.device);
    expect((await harness.put({ body: BODY, headers: { 'Mdm-Signature': signature } })).status).to.equal(200);
    expect((await harness.put({ body: BODY, headers: { 'Mdm-Signature': signature } })).status).to.equal(200);
    await harness.expectRefused({ body: `${BODY} `, headers: { 'Mdm-Signature': signature } }, 'bad-signature');
    expect(harness.ca.verifications).to.equal(1);
  });

  it("answers 403 to a valid signature by another CA's certificate, and to an expired one of ours", async () => {
    await harness.expectRefused({ body: BODY, headers: { 'Mdm-Signature': mdmSignature(BODY, f.foreignDevice) } }, 'foreign-ca');
    await harness.expectRefused({ body: BODY, headers: { 'Mdm-Signature': mdmSignature(BODY, f.expiredDevice) } }, 'expired');
  });

  it('answers 403 to malformed headers and keeps serving', async () => {
    const good = signDetachedCms(BODY, f.device);
    const malformed: Record<string, string> = {
      'not base64': '!!! not base64 !!!',
      'base64 of text': Buffer.from('hello, I am a device').toString('base64'),
      'truncated DER': good.subarray(0, good.length >> 1).toString('base64'),
      'a certificate instead of CMS': f.device.der.toString('base64'),
      'two headers joined': `${good.toString('base64')}, ${good.toString('base64')}`,
      'deep nesting': Buffer.alloc(6_000, Buffer.from('3080', 'hex')).toString('base64'),
    };
    for (const [name, header] of Object.entries(malformed)) {
      const before = harness.server!.failures.length;
      const response = await harness.put({ body: BODY, headers: { 'Mdm-Signature': header } });
      expect(response.status, name).to.equal(403);
      expect(response.body.length, name).to.equal(0);
      expect(harness.server!.failures.slice(before).map((x) => x.reason), name).to.deep.equal(['malformed']);
    }
    expect((await harness.put({ body: BODY, headers: { 'Mdm-Signature': good.toString('base64') } })).status).to.equal(200);
  });

  it('refuses a signed request when no raw body parser ran (the documented contract)', async () => {
    await harness.stop();
    await harness.start({ rawBody: false });
    await harness.expectRefused({ body: BODY, headers: { 'Mdm-Signature': mdmSignature(BODY, f.device) } }, 'malformed');
    expect(harness.server!.failures[0]!.detail).to.match(/raw request body/);
  });
});
