import { expect } from 'chai';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../../application/ports/clock.js';
import { ensureServerTlsCertificate } from '../../infrastructure/pki/tls-certificate.js';
import { createTestCa, type TestCa } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

const systemTime: Clock = { now: () => new Date() };
const DAY_MS = 86_400_000;

describe('ensureServerTlsCertificate', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let testCa: TestCa;
  before(async () => (testCa = await createTestCa('TLS Test CA')));
  beforeEach(() => (dir = tempDir('mdm-tls-')));
  afterEach(() => dir.remove());

  const ensure = (hostnames: string[], ca = testCa, clock = systemTime) =>
    ensureServerTlsCertificate(ca.ca, dir.path, hostnames, clock);

  it('issues a 397-day server certificate and keeps its key 0600', async () => {
    const tls = await ensure(['mdm.example.com', '127.0.0.1']);
    expect(tls.reissueReason).to.equal('missing');
    expect(statSync(join(dir.path, 'tls', 'server.key')).mode & 0o777).to.equal(0o600);
    const cert = new X509Certificate(tls.certPem);
    expect(cert.checkPrivateKey(createPrivateKey(tls.keyPem))).to.equal(true);
    const days = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
    expect(days).to.be.closeTo(397, 0.01);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect(tls.chainPem).to.equal(tls.certPem + testCa.ca.certificatePem());
  });

  it('keeps the certificate while the hostnames are the same set', async () => {
    const first = await ensure(['mdm.example.com', '127.0.0.1', '::1']);
    const second = await ensure(['::1', 'MDM.example.com', '0:0:0:0:0:0:0:1', '127.0.0.1']);
    expect(second.reissueReason).to.equal(undefined);
    expect(second.certPem).to.equal(first.certPem);
    expect(second.keyPem).to.equal(first.keyPem);
  });

  it('reissues when the hostnames change', async () => {
    const first = await ensure(['mdm.example.com']);
    const second = await ensure(['mdm.example.com', 'mdm2.example.com']);
    expect(second.reissueReason).to.equal('hostnames changed');
    expect(second.certPem).to.not.equal(first.certPem);
    expect(new X509Certificate(second.certPem).checkHost('mdm2.example.com')).to.equal('mdm2.example.com');
  });

  it('reissues when the CA changed', async () => {
    await ensure(['mdm.example.com']);
    const otherCa = await createTestCa('Replacement CA');
    const again = await ensure(['mdm.example.com'], otherCa);
    expect(again.reissueReason).to.match(/not issued by the current CA/);
    expect(otherCa.ca.verifyIssued(again.certPem, new Date())).to.equal(true);
  });

  it('reissues within 30 days of expiry', async () => {
    await ensure(['mdm.example.com']);
    const later: Clock = { now: () => new Date(Date.now() + 370 * DAY_MS) };
    expect((await ensure(['mdm.example.com'], testCa, later)).reissueReason).to.equal('expires within 30 days');
  });

  it('refuses an empty hostname list', async () => {
    const error = await ensure([]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
  });

  describe('a real HTTPS server', () => {
    let server: Server;
    let port: number;
    before(async () => {
      const d = tempDir('mdm-tls-server-');
      const tls = await ensureServerTlsCertificate(testCa.ca, d.path, ['localhost', '127.0.0.1'], systemTime);
      d.remove();
      server = createServer({ key: tls.keyPem, cert: tls.chainPem }, (_req, res) => res.end('hello'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const fetchBody = (servername?: string, ca = testCa.certPem) =>
      new Promise<string>((resolve, reject) => {
        const options = { host: '127.0.0.1', port, path: '/', ca, agent: false as const, ...(servername ? { servername } : {}) };
        get(options, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });

    it('is trusted by a client trusting only the CA, by IP address', async () => {
      expect(await fetchBody()).to.equal('hello');
    });

    it('is trusted by a client trusting only the CA, by host name', async () => {
      expect(await fetchBody('localhost')).to.equal('hello');
    });

    it('fails the hostname check for a name not in the certificate', async () => {
      const error = (await fetchBody('other.example').catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(error.code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    });

    it('is not trusted by a client trusting another CA', async () => {
      const other = await createTestCa('Stranger CA');
      const error = (await fetchBody(undefined, other.certPem).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(error.code).to.be.oneOf(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']);
    });
  });
});
