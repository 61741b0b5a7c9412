import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { StaticScepChallenge } from '../../infrastructure/scep/static-scep-challenge.js';
import { createTestCa, type TestCa } from '../support/pki.js';
import { startScepServer, type RunningScepServer } from '../support/scep-server.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

describe('SCEP HTTP operations (GetCACaps, GetCACert, malformed input)', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let server: RunningScepServer;
  let dir: ReturnType<typeof tempDir>;

  before(async () => {
    dir = tempDir('mdm-scep-http-');
    testCa = await createTestCa('SCEP HTTP CA');
    server = await startScepServer(testCa, new StaticScepChallenge('s3cret'), dir.path);
  });

  after(async () => {
    await server?.close();
    dir?.remove();
  });

  it('GetCACaps lists the capabilities one per line', async () => {
    const response = await fetch(`${server.url}?operation=GetCACaps`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/plain/);
    expect((await response.text()).trim().split('\n')).to.deep.equal(['POSTPKIOperation', 'SHA-256', 'SHA-1', 'AES', 'DES3', 'SCEPStandard', 'Renewal']);
  });

  it('GetCACert returns a certs-only SignedData with the CA and the RA issued by it', async () => {
    const response = await fetch(`${server.url}?operation=GetCACert`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/x-x509-ca-ra-cert');
    const der = Buffer.from(await response.arrayBuffer());
    const p7 = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(der.toString('binary'))) as forge.pkcs7.PkcsSignedData;
    const certificates = p7.certificates.map((certificate) => new X509Certificate(forge.pki.certificateToPem(certificate)));
    expect(certificates).to.have.length(2);
    expect(certificates[0]!.raw.equals(testCa.ca.certificateDer())).to.equal(true);
    expect(certificates[1]!.subject).to.include('CN=MDM SCEP RA');
    expect(certificates[1]!.checkIssued(certificates[0]!)).to.equal(true);
    expect(certificates[1]!.raw.equals(server.ra.certificateDer)).to.equal(true);
    if (!opensslCliAvailable) {
      console.log('    (openssl not on PATH: skipping the openssl pkcs7 cross-check)');
      return;
    }
    writeFileSync(join(dir.path, 'cacert.p7'), der);
    const printed = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', join(dir.path, 'cacert.p7'), '-print_certs', '-noout'], { encoding: 'utf8' });
    expect(printed.status, printed.stderr).to.equal(0);
    expect(printed.stdout).to.include('SCEP HTTP CA');
    expect(printed.stdout).to.include('MDM SCEP RA');
  });

  it('refuses an unknown operation with 400', async () => {
    const response = await fetch(`${server.url}?operation=GetEverything`);
    expect(response.status).to.equal(400);
  });

  const malformed: [string, () => Buffer][] = [
    ['empty', () => Buffer.alloc(0)],
    ['random bytes', () => Buffer.from('not der at all, just text')],
    ['truncated DER', () => Buffer.from('3082ffff0609', 'hex')],
    ['a certificate instead of a pkiMessage', () => testCa.ca.certificateDer()],
    ['deeply nested indefinite-length DER', () => Buffer.concat([Buffer.from('3080', 'hex'), Buffer.alloc(2000, 0x30)])],
  ];

  for (const [name, body] of malformed) {
    it(`answers a POSTed pkiMessage that is ${name} with a clean 400`, async () => {
      const bytes = body();
      const response = await fetch(`${server.url}?operation=PKIOperation`, { method: 'POST', body: bytes });
      expect(response.status).to.equal(400);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
    });
  }

  it('answers GET PKIOperation without a message, or with bad base64, with 400', async () => {
    expect((await fetch(`${server.url}?operation=PKIOperation`)).status).to.equal(400);
    expect((await fetch(`${server.url}?operation=PKIOperation&message=%%%`)).status).to.equal(400);
    expect((await fetch(`${server.url}?operation=PKIOperation&message=${encodeURIComponent('a$b')}`)).status).to.equal(400);
    expect((await fetch(`${server.url}?operation=PKIOperation&message=AAAA`)).status).to.equal(400);
  });

  it('refuses an oversized POST body without crashing and keeps serving', async () => {
    const response = await fetch(`${server.url}?operation=PKIOperation`, { method: 'POST', body: Buffer.alloc(200 * 1024, 0x30) });
    expect(response.status).to.equal(413);
    expect((await fetch(`${server.url}?operation=GetCACaps`)).status).to.equal(200);
  });
});
