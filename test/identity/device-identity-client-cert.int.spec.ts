import { expect } from 'chai';
import { createServer } from 'node:net';
import { identityFixtures, IdentityHarness, type IdentityFixtures } from './identity-fixtures.js';

const clientCert = (der: Buffer) => `:${der.toString('base64')}:`;

async function canListen(host: string): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}

describe('deviceIdentity middleware: Client-Cert from a trusted proxy (RFC 9440)', function () {
  this.timeout(20_000);
  let f: IdentityFixtures;
  const harness = new IdentityHarness(() => f);

  before(async () => (f = await identityFixtures()));
  afterEach(() => harness.stop());
  after(() => harness.expectNever401());

  it('accepts the forwarded certificate from a peer inside the trusted CIDRs', async () => {
    await harness.start({ trustedProxyCidrs: ['10.0.0.0/8', '127.0.0.0/8'] });
    const response = await harness.put({ headers: { 'Client-Cert': clientCert(f.device.der) } });
    expect(response.status).to.equal(200);
    expect(response.identity).to.include({ source: 'client-cert', certificateSha256: f.device.issued!.sha256 });
  });

  it('ignores Client-Cert from any other peer: 403 without another identity', async () => {
    await harness.start({ trustedProxyCidrs: ['10.0.0.0/8'] });
    await harness.expectRefused({ headers: { 'Client-Cert': clientCert(f.device.der) } }, 'no-certificate');
    expect(harness.server!.failures[0]!.detail).to.match(/Client-Cert ignored/);
  });

  it("ignores an untrusted peer's Client-Cert when it has its own TLS certificate", async () => {
    await harness.start({ trustedProxyCidrs: [] });
    const response = await harness.put({ clientCertificate: f.device, headers: { 'Client-Cert': clientCert(f.otherDevice.der) } });
    expect(response.status).to.equal(200);
    expect(response.identity).to.include({ source: 'mtls', certificateSha256: f.device.issued!.sha256 });
  });

  it("takes a trusted proxy's forwarded certificate, not the proxy's own TLS certificate", async () => {
    await harness.start({ trustedProxyCidrs: ['127.0.0.1'] });
    const response = await harness.put({ clientCertificate: f.otherDevice, headers: { 'Client-Cert': clientCert(f.device.der) } });
    expect(response.status).to.equal(200);
    expect(response.identity).to.include({ source: 'client-cert', certificateSha256: f.device.issued!.sha256 });
  });

  it('answers 403 to a trusted peer forwarding a foreign, expired or malformed certificate', async () => {
    await harness.start({ trustedProxyCidrs: ['127.0.0.0/8'] });
    await harness.expectRefused({ headers: { 'Client-Cert': clientCert(f.foreignDevice.der) } }, 'foreign-ca');
    await harness.expectRefused({ headers: { 'Client-Cert': clientCert(f.expiredDevice.der) } }, 'expired');
    await harness.expectRefused({ headers: { 'Client-Cert': f.device.der.toString('base64') } }, 'malformed');
    await harness.expectRefused({ headers: { 'Client-Cert': clientCert(Buffer.from('not DER')) } }, 'malformed');
  });

  it('matches an IPv4 peer on a dual-stack listener (::ffff:127.0.0.1) against an IPv4 block', async function () {
    if (!(await canListen('::'))) {
      console.log('      (no IPv6 on this host: skipping the dual-stack test)');
      this.skip();
    }
    await harness.start({ host: '::', trustedProxyCidrs: ['127.0.0.0/8'] });
    const response = await harness.put({ host: '127.0.0.1', headers: { 'Client-Cert': clientCert(f.device.der) } });
    expect(response.status).to.equal(200);
    expect(response.identity?.source).to.equal('client-cert');
    await harness.expectRefused({ host: '127.0.0.1' }, 'no-certificate');
    expect(harness.server!.failures[0]!.remoteAddress).to.equal('::ffff:127.0.0.1');
  });

  it('matches an IPv6 peer against an IPv6 block', async function () {
    if (!(await canListen('::1'))) {
      console.log('      (no IPv6 loopback on this host: skipping the IPv6 test)');
      this.skip();
    }
    await harness.start({ host: '::1', trustedProxyCidrs: ['::1/128'] });
    const response = await harness.put({ host: '::1', headers: { 'Client-Cert': clientCert(f.device.der) } });
    expect(response.status).to.equal(200);
    await harness.stop();
    await harness.start({ host: '::1', trustedProxyCidrs: ['127.0.0.0/8', 'fd00::/8'] });
    await harness.expectRefused({ host: '::1', headers: { 'Client-Cert': clientCert(f.device.der) } }, 'no-certificate');
  });
});
