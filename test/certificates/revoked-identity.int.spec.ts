import { expect } from 'chai';
import { systemClock } from '../../application/ports/clock.js';
import { VerifiedCertificateCache } from '../../infrastructure/http/device/identity/verified-certificate-cache.js';
import { identityFixtures, type IdentityFixtures } from '../identity/identity-fixtures.js';
import { mdmSignature } from '../support/cms-sign.js';
import { putMdm, startIdentityServer, type IdentityServer } from '../support/identity-server.js';

describe('device identity: revoked certificates', function () {
  this.timeout(20_000);
  let f: IdentityFixtures;
  let server: IdentityServer;
  const revoked = new Map<string, string>();
  let known = true;

  before(async () => {
    f = await identityFixtures();
    server = await startIdentityServer({
      ca: f.testCa.ca, clock: systemClock, serverCertificate: f.serverCertificate, cache: new VerifiedCertificateCache(),
      revocationReason: (sha256) => revoked.get(sha256),
      revocationsKnown: () => known,
    });
  });
  after(() => server?.close());

  const put = (device = f.device, auth: 'mtls' | 'signature' = 'mtls') => {
    const body = Buffer.from('<plist version="1.0"><dict/></plist>');
    return putMdm({
      port: server.port, caPem: f.testCa.certPem, body,
      ...(auth === 'mtls' ? { clientCertificate: device } : { headers: { 'mdm-signature': mdmSignature(body, device) } }),
    });
  };

  it('answers 401 from the moment of revocation, even for a certificate verified and cached before, and records the refusal', async () => {
    expect((await put()).status).to.equal(200);
    const sha256 = f.device.issued!.sha256;
    revoked.set(sha256, 'checked-out');
    for (const auth of ['mtls', 'signature'] as const) {
      const before = server.failures.length;
      const answer = await put(f.device, auth);
      expect([answer.status, answer.body.length], auth).to.deep.equal([401, 0]);
      expect(server.failures.slice(before)).to.have.length(1);
      expect(server.failures.at(-1)).to.include({ reason: 'revoked', certificateHash: sha256, revocationReason: 'checked-out' });
    }
    // Another certificate of the same CA is unaffected.
    expect((await put(f.otherDevice)).status).to.equal(200);
  });

  it('answers a superseded certificate 403, not 401: its device holds a newer enrollment a 401 would undo', async () => {
    revoked.set(f.otherDevice.issued!.sha256, 'superseded');
    const answer = await put(f.otherDevice);
    expect(answer.status).to.equal(403);
    expect(server.failures.at(-1)).to.include({ reason: 'revoked', revocationReason: 'superseded' });
  });

  it('answers 503 (retry later) to everyone while the revocations are not known yet, and records no refusal', async () => {
    known = false;
    try {
      const before = server.failures.length;
      const answer = await put(f.device);
      expect(answer.status).to.equal(503);
      expect(server.failures.length).to.equal(before);
    } finally {
      known = true;
    }
    expect((await put(f.device)).status).to.not.equal(503);
  });

  it('checks the CA first: a foreign certificate is refused as foreign whatever the revocation list says', async () => {
    revoked.set(f.foreignDevice.issued!.sha256, 'admin');
    const answer = await put(f.foreignDevice);
    expect(answer.status).to.equal(403);
    expect(server.failures.at(-1)).to.include({ reason: 'foreign-ca' });
  });
});
