import { expect } from 'chai';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { subjectKeyIdentifierOf, extensionValue } from '../../infrastructure/pki/certificate-fields.js';
import { parseDer, children, primitiveBytes } from '../../infrastructure/pki/der.js';
import { createTestCa, issueDeviceIdentity, issueServerCertificate, pooledKeyPair, type TestCa } from '../support/pki.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';

describe('issued certificates', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let otherCa: TestCa;
  before(async () => {
    testCa = await createTestCa('Issuing CA');
    otherCa = await createTestCa('Other CA');
  });

  it('verify against the CA key with Node and carry the CA as issuer', async () => {
    const { certPem } = await issueDeviceIdentity(testCa, 'UDID-0001');
    const leaf = new X509Certificate(certPem);
    const caCert = new X509Certificate(testCa.certPem);
    expect(leaf.verify(caCert.publicKey)).to.equal(true);
    expect(leaf.checkIssued(caCert)).to.equal(true);
    expect(leaf.issuer).to.equal(caCert.subject);
    expect(leaf.subject).to.equal('CN=UDID-0001');
    expect(leaf.ca).to.equal(false);
  });

  it('report what they contain', async () => {
    const before = Date.now();
    const { issued, der } = await issueDeviceIdentity(testCa, 'UDID-0002');
    const leaf = new X509Certificate(der);
    expect(issued!.serialNumber.replace(/^0+/, '')).to.equal(leaf.serialNumber.toLowerCase().replace(/^0+/, ''));
    expect(issued!.sha256).to.equal(leaf.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(issued!.notBefore.getTime()).to.equal(Date.parse(leaf.validFrom));
    expect(issued!.notAfter.getTime()).to.equal(Date.parse(leaf.validTo));
    // Backdated five minutes for devices whose clocks run slow.
    expect(before - issued!.notBefore.getTime()).to.be.within(299_000, 301_000);
  });

  it('have random, positive serial numbers of at least 64 bits', async () => {
    const serials = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await issueDeviceIdentity(testCa, `S-${i}`)).issued!.serialNumber),
    );
    expect(new Set(serials).size).to.equal(serials.length);
    for (const serial of serials) {
      expect(serial).to.match(/^[0-7][0-9a-f]{31}$/);
      expect(serial.slice(0, 2)).to.not.equal('00');
      expect(BigInt(`0x${serial}`) >= 2n ** 64n).to.equal(true);
    }
  });

  it('carry an authorityKeyIdentifier equal to the CA subjectKeyIdentifier', async () => {
    const { der } = await issueDeviceIdentity(testCa, 'UDID-AKI');
    const caSki = subjectKeyIdentifierOf(new X509Certificate(testCa.certPem).raw);
    const aki = children(parseDer(extensionValue(der, AUTHORITY_KEY_IDENTIFIER)!))[0]!;
    expect(caSki).to.have.length(20);
    expect(primitiveBytes(aki).equals(caSki!)).to.equal(true);
    expect(subjectKeyIdentifierOf(der)!.equals(caSki!)).to.equal(false);
  });

  it('use the extended key usage of their profile', async () => {
    const device = new X509Certificate((await issueDeviceIdentity(testCa, 'UDID-EKU')).certPem);
    const server = new X509Certificate((await issueServerCertificate(testCa, ['mdm.example.com'])).certPem);
    const client = new X509Certificate(
      (
        await testCa.ca.issue({
          publicKeyPem: pooledKeyPair().publicKeyPem,
          subject: { commonName: 'gateway' },
          profile: 'tls-client',
          validityDays: 30,
        })
      ).pem,
    );
    expect(device.keyUsage).to.deep.equal([CLIENT_AUTH]);
    expect(server.keyUsage).to.deep.equal([SERVER_AUTH]);
    expect(client.keyUsage).to.deep.equal([CLIENT_AUTH]);
  });

  it('put DNS names, IPv4 and IPv6 literals in subjectAltName', async () => {
    const { certPem } = await issueServerCertificate(testCa, ['MDM.example.com', '192.0.2.7', '2001:db8::1', '::1']);
    const cert = new X509Certificate(certPem);
    expect(cert.checkHost('mdm.example.com')).to.equal('mdm.example.com');
    expect(cert.checkIP('192.0.2.7')).to.equal('192.0.2.7');
    expect(cert.checkIP('2001:db8:0:0:0:0:0:1')).to.not.equal(undefined);
    expect(cert.checkIP('::1')).to.not.equal(undefined);
    expect(cert.checkIP('2001:db8::2')).to.equal(undefined);
    expect(cert.checkHost('2001:db8::1')).to.equal(undefined);
  });

  it('accept EC P-256 subject keys', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await testCa.ca.issue({
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      subject: { commonName: 'ec-device', organization: 'Acme', country: 'FR' },
      profile: 'device-identity',
      validityDays: 10,
    });
    const cert = new X509Certificate(issued.pem);
    expect(cert.publicKey.asymmetricKeyType).to.equal('ec');
    expect(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }))).to.equal(
      true,
    );
    expect(cert.subject).to.equal('C=FR\nO=Acme\nCN=ec-device');
    expect(testCa.ca.verifyIssued(issued.der, new Date())).to.equal(true);
  });

  describe('verifyIssued', () => {
    it('is true within validity, false before and after', async () => {
      const { issued } = await issueDeviceIdentity(testCa, 'UDID-TIME');
      expect(testCa.ca.verifyIssued(issued!.pem, new Date())).to.equal(true);
      expect(testCa.ca.verifyIssued(issued!.der, issued!.notAfter)).to.equal(true);
      expect(testCa.ca.verifyIssued(issued!.pem, new Date(issued!.notBefore.getTime() - 1000))).to.equal(false);
      expect(testCa.ca.verifyIssued(issued!.pem, new Date(issued!.notAfter.getTime() + 1000))).to.equal(false);
    });

    it('is false for another CA, for a tampered certificate and for garbage', async () => {
      const { der } = await issueDeviceIdentity(otherCa, 'UDID-OTHER');
      expect(testCa.ca.verifyIssued(der, new Date())).to.equal(false);
      const own = (await issueDeviceIdentity(testCa, 'UDID-TAMPER')).der;
      const tampered = Buffer.from(own);
      tampered[tampered.length - 10]! ^= 0x01;
      expect(testCa.ca.verifyIssued(tampered, new Date())).to.equal(false);
      expect(testCa.ca.verifyIssued('not a certificate', new Date())).to.equal(false);
    });
  });
});

describe('issued certificate validity', () => {
  it('never outlives the CA', async () => {
    const { createSelfSignedCa } = await import('../../infrastructure/pki/self-signed-ca.js');
    const { LocalCertificateAuthority } = await import('../../infrastructure/pki/local-certificate-authority.js');
    const { generateKeyPairSync } = await import('node:crypto');
    const shortLived = await createSelfSignedCa({ validityDays: 30, keyBits: 2048 });
    const ca = new LocalCertificateAuthority(shortLived.certificatePem, shortLived.privateKeyPem);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issued = await ca.issue({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), subject: { commonName: 'device' }, profile: 'device-identity', validityDays: 365 });
    expect(issued.notAfter.getTime()).to.equal(new Date(shortLived.certificate.validTo).getTime());
  });
});
