import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPushCertificate,
  createTestCa,
  issueDeviceIdentity,
  issueServerCertificate,
  pooledKeyPair,
  type TestCa,
} from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

// OpenSSL is an independent implementation: it catches encodings our own code would accept.
const opensslAvailable = !spawnSync('openssl', ['version']).error;

describe('issued certificates, checked by the openssl CLI', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  let testCa: TestCa;
  let caFile: string;

  before(async function () {
    if (!opensslAvailable) {
      console.log('    (openssl not on PATH: skipping the openssl cross-checks)');
      this.skip();
    }
    dir = tempDir('mdm-openssl-');
    testCa = await createTestCa('OpenSSL Check CA');
    caFile = write('ca.pem', testCa.certPem);
  });
  after(() => dir?.remove());

  function write(name: string, content: string): string {
    const path = join(dir.path, name);
    writeFileSync(path, content);
    return path;
  }
  const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
  const text = (pem: string) => openssl('x509', '-noout', '-text', '-in', write('cert.pem', pem));
  const verify = (pem: string, purpose?: string) =>
    openssl('verify', ...(purpose ? ['-purpose', purpose] : []), '-CAfile', caFile, write('leaf.pem', pem)).trim();

  it('accepts the CA as a self-signed root with CA extensions', () => {
    expect(verify(testCa.certPem)).to.match(/: OK$/);
    const out = text(testCa.certPem);
    expect(out).to.match(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(out).to.match(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(out).to.include('Signature Algorithm: sha256WithRSAEncryption');
  });

  it('verifies a device identity for SSL client use', async () => {
    const { certPem } = await issueDeviceIdentity(testCa, 'UDID-OPENSSL');
    expect(verify(certPem, 'sslclient')).to.match(/: OK$/);
    const out = text(certPem);
    expect(out).to.match(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(out).to.match(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(out).to.match(/Basic Constraints:\s+CA:FALSE/);
  });

  it('verifies a TLS server certificate with DNS and IP SANs for SSL server use', async () => {
    const { certPem } = await issueServerCertificate(testCa, ['mdm.example.com', '127.0.0.1', '2001:db8::7']);
    expect(verify(certPem, 'sslserver')).to.match(/: OK$/);
    const out = text(certPem);
    expect(out).to.match(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(out).to.match(
      /Subject Alternative Name:\s+DNS:mdm.example.com, IP Address:127.0.0.1, IP Address:2001:DB8:0:0:0:0:0:7/,
    );
  });

  it('verifies a TLS client certificate, digitalSignature only', async () => {
    const issued = await testCa.ca.issue({
      publicKeyPem: pooledKeyPair().publicKeyPem,
      subject: { commonName: 'vpn-gateway', organization: 'Acme', organizationalUnit: 'Ops', country: 'DE' },
      profile: 'tls-client',
      validityDays: 90,
    });
    expect(verify(issued.pem, 'sslclient')).to.match(/: OK$/);
    const out = text(issued.pem);
    expect(out).to.match(/Key Usage: critical\s+Digital Signature\n/);
    expect(out).to.include('Subject: C = DE, O = Acme, OU = Ops, CN = vpn-gateway');
  });

  it('shows the authority key identifier equal to the CA subject key identifier', async () => {
    const { certPem } = await issueDeviceIdentity(testCa, 'UDID-AKI');
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text(testCa.certPem))?.[1];
    const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text(certPem))?.[1];
    expect(ski).to.be.a('string');
    expect(aki).to.equal(ski);
  });

  it('shows a positive serial number of 16 bytes', async () => {
    const { certPem } = await issueDeviceIdentity(testCa, 'UDID-SERIAL');
    const serial = openssl('x509', '-noout', '-serial', '-in', write('s.pem', certPem)).trim().replace('serial=', '');
    expect(serial).to.match(/^[0-7][0-9A-F]{31}$/);
    expect(text(certPem)).to.not.include('(Negative)');
  });

  it('reads the push certificate subject with UID = topic and CN = APSP:<uuid>', async () => {
    const push = await createPushCertificate(testCa, 'com.apple.mgmt.External.4b0c5d7e-1111-2222-3333-444455556666');
    expect(verify(push.certPem, 'sslclient')).to.match(/: OK$/);
    const subject = openssl('x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', write('p.pem', push.certPem));
    expect(subject).to.include('UID=com.apple.mgmt.External.4b0c5d7e-1111-2222-3333-444455556666');
    expect(subject).to.include('CN=APSP:4b0c5d7e-1111-2222-3333-444455556666');
  });

  it('rejects a certificate from another CA', async () => {
    const other = await createTestCa('Unrelated CA');
    const { certPem } = await issueDeviceIdentity(other, 'UDID-FOREIGN');
    const result = spawnSync('openssl', ['verify', '-CAfile', caFile, write('foreign.pem', certPem)], { encoding: 'utf8' });
    expect(result.status).to.not.equal(0);
  });
});
