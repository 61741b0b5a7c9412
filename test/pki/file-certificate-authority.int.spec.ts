import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CertificateRequestError,
  FileCertificateAuthority,
} from '../../infrastructure/pki/file-certificate-authority.js';
import { pooledKeyPair } from '../support/pki.js';
import { tempDir } from '../support/temp-dir.js';

describe('FileCertificateAuthority', function () {
  this.timeout(20_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('mdm-ca-')));
  afterEach(() => dir.remove());

  const open = (sub = 'ca', commonName?: string) =>
    FileCertificateAuthority.openOrCreate(join(dir.path, sub), { keyBits: 2048, commonName });

  it('creates ca.pem and a 0600 PKCS#8 ca.key in a 0700 directory', async () => {
    const ca = await open('ca', 'Acme MDM Root CA');
    const caDir = join(dir.path, 'ca');
    expect(statSync(caDir).mode & 0o777).to.equal(0o700);
    expect(statSync(join(caDir, 'ca.key')).mode & 0o777).to.equal(0o600);
    expect(readFileSync(join(caDir, 'ca.key'), 'utf8')).to.match(/^-----BEGIN PRIVATE KEY-----/);
    const cert = new X509Certificate(readFileSync(join(caDir, 'ca.pem')));
    expect(cert.ca).to.equal(true);
    expect(cert.subject).to.equal('CN=Acme MDM Root CA');
    expect(cert.verify(cert.publicKey)).to.equal(true);
    expect(ca.certificatePem()).to.equal(readFileSync(join(caDir, 'ca.pem'), 'utf8'));
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
    expect(years).to.be.closeTo(10, 0.01);
  });

  it('defaults to a 3072-bit key named "MDM Root CA"', async () => {
    const ca = await FileCertificateAuthority.openOrCreate(join(dir.path, 'default'));
    const cert = new X509Certificate(ca.certificateDer());
    expect(cert.subject).to.equal('CN=MDM Root CA');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(3072);
  });

  it('reopening returns the same CA', async () => {
    const first = await open();
    const second = await open();
    expect(second.certificateDer().equals(first.certificateDer())).to.equal(true);
    const leaf = await first.issue({
      publicKeyPem: pooledKeyPair().publicKeyPem,
      subject: { commonName: 'device' },
      profile: 'device-identity',
      validityDays: 30,
    });
    expect(second.verifyIssued(leaf.pem, new Date())).to.equal(true);
  });

  it('refuses a key that does not match the certificate', async () => {
    await open('a');
    await open('b');
    writeFileSync(join(dir.path, 'a', 'ca.key'), readFileSync(join(dir.path, 'b', 'ca.key')));
    await expectRejection(open('a'), /does not match/);
  });

  it('refuses a directory holding only one of the two files', async () => {
    await open('a');
    unlinkSync(join(dir.path, 'a', 'ca.pem'));
    await expectRejection(open('a'), /ca\.key exists but .*ca\.pem is missing/);
    await open('b');
    unlinkSync(join(dir.path, 'b', 'ca.key'));
    await expectRejection(open('b'), /ca\.pem exists but .*ca\.key is missing/);
  });

  describe('request validation', () => {
    let ca: FileCertificateAuthority;
    before(async function () {
      this.timeout(20_000);
      const d = tempDir('mdm-ca-validation-');
      ca = await FileCertificateAuthority.openOrCreate(d.path, { keyBits: 2048 });
      d.remove();
    });
    const base = () => ({
      publicKeyPem: pooledKeyPair().publicKeyPem,
      subject: { commonName: 'x' },
      profile: 'device-identity' as const,
      validityDays: 30,
    });
    const cases: [string, () => object, RegExp][] = [
      ['validityDays 0', () => ({ ...base(), validityDays: 0 }), /validityDays/],
      ['validityDays 3651', () => ({ ...base(), validityDays: 3651 }), /validityDays/],
      ['fractional validityDays', () => ({ ...base(), validityDays: 1.5 }), /validityDays/],
      ['empty commonName', () => ({ ...base(), subject: { commonName: '  ' } }), /commonName/],
      ['garbage key', () => ({ ...base(), publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }), /parse/],
      ['a private key', () => ({ ...base(), publicKeyPem: pooledKeyPair().privateKeyPem }), /SPKI/],
      ['tls-server without SANs', () => ({ ...base(), profile: 'tls-server' }), /subjectAltName/],
      ['a bad SAN', () => ({ ...base(), profile: 'tls-server', subjectAltNames: ['bad_name!'] }), /subjectAltName/],
      ['an unknown profile', () => ({ ...base(), profile: 'ca' }), /profile/],
    ];
    for (const [name, request, message] of cases) {
      it(`refuses ${name}`, async () => {
        const error = await ca.issue(request() as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(CertificateRequestError);
        expect((error as Error).message).to.match(message);
      });
    }
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}
