import { expect } from 'chai';
import { constants, createPrivateKey, generateKeyPairSync, createPublicKey, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StaticScepChallenge } from '../../infrastructure/scep/static-scep-challenge.js';
import { createTestCa, issueDeviceIdentity, pooledKeyPair, type TestCa, type TestKeyPair } from '../support/pki.js';
import {
  buildPkiMessage,
  issuedCertificate,
  parseCertRep,
  selfSignedSigner,
  type ClientCipher,
  type ScepClientIdentity,
} from '../support/scep-client-message.js';
import { startScepServer, type RunningScepServer } from '../support/scep-server.js';
import { opensslCliAvailable } from '../support/scep-tools.js';
import { tempDir } from '../support/temp-dir.js';

describe('SCEP PKIOperation with forge-built pkiMessages', function () {
  this.timeout(30_000);
  let testCa: TestCa;
  let server: RunningScepServer;
  let dir: ReturnType<typeof tempDir>;
  let client: ScepClientIdentity;

  before(async () => {
    dir = tempDir('mdm-scep-op-');
    testCa = await createTestCa('SCEP Operation CA');
    server = await startScepServer(testCa, new StaticScepChallenge('s3cret'), dir.path);
    client = selfSignedSigner(pooledKeyPair(), 'device-forge');
  });

  after(async () => {
    await server?.close();
    dir?.remove();
  });

  async function post(message: Buffer): Promise<{ status: number; type: string | null; body: Buffer }> {
    const response = await fetch(`${server.url}?operation=PKIOperation`, { method: 'POST', body: message });
    return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
  }

  for (const cipher of ['des-EDE3-CBC', 'aes128-CBC', 'aes256-CBC'] as ClientCipher[]) {
    it(`issues a certificate for a PKCSReq whose envelope uses ${cipher}, answering in the same cipher`, async () => {
      const transactionId = randomBytes(20).toString('hex');
      const senderNonce = randomBytes(16);
      const response = await post(buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-forge', challenge: 's3cret', cipher, transactionId, senderNonce }));
      expect(response.status).to.equal(200);
      expect(response.type).to.equal('application/x-pki-message');
      const rep = parseCertRep(response.body);
      expect(rep).to.include({ messageType: '3', pkiStatus: '0', transactionId });
      expect(rep.failInfo).to.equal(undefined);
      expect(rep.recipientNonce.equals(senderNonce)).to.equal(true);
      expect(rep.senderNonce).to.have.length(16);
      expect(rep.senderNonce.equals(senderNonce)).to.equal(false);
      const certificate = new X509Certificate(issuedCertificate(rep.content, client));
      expect(certificate.subject).to.include('CN=device-forge');
      expect(certificate.subject).to.include('C=DE');
      expect(testCa.ca.verifyIssued(certificate.raw, new Date())).to.equal(true);
      expect(certificate.publicKey.equals(client.key.publicKey)).to.equal(true);
      const envelopeCipher = cipherOidOf(rep.content);
      expect(envelopeCipher).to.equal({ 'des-EDE3-CBC': '2a864886f70d0307', 'aes128-CBC': '608648016503040102', 'aes256-CBC': '60864801650304012a' }[cipher]);
    });
  }

  it('accepts a pkiMessage signed with SHA-1 and sent by GET with message=base64', async () => {
    const message = buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-get', challenge: 's3cret', digest: 'sha1' });
    const response = await fetch(`${server.url}?operation=PKIOperation&message=${encodeURIComponent(message.toString('base64'))}`);
    expect(response.status).to.equal(200);
    const rep = parseCertRep(Buffer.from(await response.arrayBuffer()));
    expect(rep.pkiStatus).to.equal('0');
    expect(new X509Certificate(issuedCertificate(rep.content, client)).subject).to.include('CN=device-get');
  });

  it('signs CertReps with the RA key, which openssl cms -verify accepts against the CA', async function () {
    if (!opensslCliAvailable) {
      console.log('    (openssl not on PATH: skipping the CertRep signature cross-check)');
      this.skip();
    }
    const response = await post(buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-openssl', challenge: 's3cret' }));
    writeFileSync(join(dir.path, 'certrep.der'), response.body);
    writeFileSync(join(dir.path, 'ca.pem'), testCa.certPem);
    const verified = spawnSync(
      'openssl',
      ['cms', '-verify', '-inform', 'DER', '-in', join(dir.path, 'certrep.der'), '-CAfile', join(dir.path, 'ca.pem'), '-purpose', 'any', '-out', join(dir.path, 'content.der')],
      { encoding: 'utf8' },
    );
    expect(verified.status, verified.stderr).to.equal(0);
    expect(verified.stderr).to.include('Verification successful');
  });

  it('answers a wrong challenge with CertRep FAILURE badRequest, echoing transactionID and nonce', async () => {
    const senderNonce = randomBytes(16);
    const response = await post(buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-x', challenge: 'wrong', transactionId: 'tx-wrong', senderNonce }));
    expect(response.status).to.equal(200);
    const rep = parseCertRep(response.body);
    expect(rep).to.include({ messageType: '3', pkiStatus: '2', failInfo: '2', transactionId: 'tx-wrong' });
    expect(rep.recipientNonce.equals(senderNonce)).to.equal(true);
    expect(rep.content).to.have.length(0);
  });

  it('answers a CSR without a challenge with badRequest', async () => {
    const rep = parseCertRep((await post(buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-x' }))).body);
    expect(rep).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('answers an unsupported messageType (GetCertInitial) with badRequest', async () => {
    const rep = parseCertRep((await post(buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-x', challenge: 's3cret', messageType: 20 }))).body);
    expect(rep).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('answers a pkiMessage whose signature does not verify with badMessageCheck', async () => {
    const message = buildPkiMessage(client, server.ra.certificatePem, { commonName: 'device-x', challenge: 's3cret' });
    // The signature is the last field of the structure: flip its last byte.
    message[message.length - 1] ^= 0x01;
    const rep = parseCertRep((await post(message)).body);
    expect(rep).to.include({ pkiStatus: '2', failInfo: '1' });
  });

  it('refuses a PKCSReq signed with another key than the CSR asks a certificate for', async () => {
    const other = selfSignedSigner(pooledKeyPair(), 'someone-else');
    const mixed = buildPkiMessage(other, server.ra.certificatePem, { commonName: 'device-x', challenge: 's3cret', csrKey: client.key });
    expect(parseCertRep((await post(mixed)).body)).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('renews with a RenewalReq signed by a current certificate of this CA, and refuses one signed by a stranger', async () => {
    const device = await issueDeviceIdentity(testCa, 'device-renew');
    const renewalSigner: ScepClientIdentity = { key: keyPairOf(device.keyPem), certPem: device.certPem, certDer: device.der };
    const renewed = parseCertRep(
      (await post(buildPkiMessage(renewalSigner, server.ra.certificatePem, { commonName: 'device-renew', messageType: 17 }))).body,
    );
    expect(renewed.pkiStatus).to.equal('0');
    expect(new X509Certificate(issuedCertificate(renewed.content, renewalSigner)).subject).to.include('CN=device-renew');
    expect(server.issued.at(-1)!.messageType).to.equal('RenewalReq');

    const stranger = selfSignedSigner(pooledKeyPair(), 'stranger');
    const refused = parseCertRep((await post(buildPkiMessage(stranger, server.ra.certificatePem, { commonName: 'stranger', messageType: 17 }))).body);
    expect(refused).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('refuses a RenewalReq that asks for another commonName than the certificate it renews', async () => {
    const device = await issueDeviceIdentity(testCa, 'device-a');
    const signer: ScepClientIdentity = { key: keyPairOf(device.keyPem), certPem: device.certPem, certDer: device.der };
    const rep = parseCertRep((await post(buildPkiMessage(signer, server.ra.certificatePem, { commonName: 'device-b', messageType: 17 }))).body);
    expect(rep).to.include({ pkiStatus: '2', failInfo: '2' });
  });

  it('answers a signer with an EC key with badAlg: the reply could not be encrypted to it', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const issued = await testCa.ca.issue({
      publicKeyPem: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      subject: { commonName: 'device-ec' },
      profile: 'device-identity',
      validityDays: 30,
    });
    const signer: ScepClientIdentity = {
      key: { ...pooledKeyPair(), privateKey: ec.privateKey, publicKey: ec.publicKey },
      certPem: issued.pem,
      certDer: issued.der,
    };
    const rep = parseCertRep(
      (await post(buildPkiMessage(signer, server.ra.certificatePem, { commonName: 'device-ec', messageType: 17, csrKey: pooledKeyPair() }))).body,
    );
    expect(rep).to.include({ pkiStatus: '2', failInfo: '0' });
  });

  describe('key transport failures (no padding oracle)', () => {
    function encryptedKeyWithBlock(block: Buffer): Buffer {
      return publicEncrypt({ key: new X509Certificate(server.ra.certificatePem).publicKey, padding: constants.RSA_NO_PADDING }, block);
    }

    function pkcs1Block(message: Buffer, valid: boolean): Buffer {
      const block = Buffer.alloc(256);
      block[0] = 0;
      block[1] = valid ? 2 : 1;
      const padding = block.subarray(2, 256 - message.length - 1);
      for (let i = 0; i < padding.length; i++) padding[i] = 1 + (randomBytes(1)[0]! % 255);
      block[256 - message.length - 1] = 0;
      message.copy(block, 256 - message.length);
      return block;
    }

    async function failureFor(encryptedKey: Buffer): Promise<{ rep: ReturnType<typeof parseCertRep>; body: Buffer }> {
      const body = (
        await post(buildPkiMessage(client, server.ra.certificatePem, {
          commonName: 'device-oracle',
          challenge: 's3cret',
          cipher: 'aes256-CBC',
          transactionId: 'tx-oracle',
          senderNonce: Buffer.alloc(16, 7),
          encryptedKey,
        }))
      ).body;
      return { rep: parseCertRep(body), body };
    }

    it('answers a bad padding and a good padding around a wrong key identically', async () => {
      const badPadding = await failureFor(encryptedKeyWithBlock(pkcs1Block(randomBytes(32), false)));
      const wrongKey = await failureFor(encryptedKeyWithBlock(pkcs1Block(randomBytes(32), true)));
      const wrongKeyLength = await failureFor(encryptedKeyWithBlock(pkcs1Block(randomBytes(16), true)));
      const noSeparator = await failureFor(encryptedKeyWithBlock(Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(254, 0x55)])));
      for (const failure of [badPadding, wrongKey, wrongKeyLength, noSeparator]) {
        expect(failure.rep).to.include({ messageType: '3', pkiStatus: '2', failInfo: '1', transactionId: 'tx-oracle' });
        expect(failure.rep.content).to.have.length(0);
        expect(failure.body.length).to.equal(badPadding.body.length);
      }
    });
  });
});

function cipherOidOf(envelopeDer: Buffer): string {
  // The content-encryption AlgorithmIdentifier's OID bytes, found by its DER prefix.
  for (const oid of ['2a864886f70d0307', '608648016503040102', '60864801650304012a', '2b0e030207']) {
    if (envelopeDer.includes(Buffer.from(`06${(oid.length / 2).toString(16).padStart(2, '0')}${oid}`, 'hex'))) return oid;
  }
  return 'none';
}

function keyPairOf(privateKeyPem: string): TestKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, privateKeyPem, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
