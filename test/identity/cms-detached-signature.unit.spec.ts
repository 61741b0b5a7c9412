import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { verifyDetachedCms } from '../../infrastructure/http/device/identity/cms-detached-signature.js';
import type { Checked } from '../../infrastructure/http/device/identity/identity-failure.js';
import { mdmSignature, signDetachedCms } from '../support/cms-sign.js';
import { createTestCa, issueDeviceIdentity, type TestCa, type TestCertificate } from '../support/pki.js';

const BODY = Buffer.from('<?xml version="1.0"?><plist version="1.0"><dict><key>Status</key><string>Idle</string></dict></plist>');

function reasonOf(result: Checked<Buffer>): string {
  return result.ok ? 'accepted' : result.problem.reason;
}

describe('verifyDetachedCms (Mdm-Signature CMS)', function () {
  this.timeout(20_000);
  let testCa: TestCa;
  let device: TestCertificate;
  let otherDevice: TestCertificate;

  before(async () => {
    testCa = await createTestCa('CMS Test CA');
    device = await issueDeviceIdentity(testCa, 'UDID-CMS-1');
    otherDevice = await issueDeviceIdentity(testCa, 'UDID-CMS-2');
  });

  for (const digest of ['sha1', 'sha256'] as const) {
    it(`accepts ${digest} with signed attributes and returns the signer's certificate`, () => {
      const result = verifyDetachedCms(signDetachedCms(BODY, device, { digest }), BODY);
      expect(result).to.deep.equal({ ok: true, value: device.der });
    });

    it(`accepts ${digest} without signed attributes (signature over the body itself)`, () => {
      const result = verifyDetachedCms(signDetachedCms(BODY, device, { digest, signedAttributes: false }), BODY);
      expect(result).to.deep.equal({ ok: true, value: device.der });
    });
  }

  it('picks the signer among several certificates', () => {
    const cms = signDetachedCms(BODY, device, { extraCertificatesPem: [testCa.certPem, otherDevice.certPem] });
    expect(verifyDetachedCms(cms, BODY)).to.deep.equal({ ok: true, value: device.der });
  });

  it('refuses a signature over a different body: messageDigest', () => {
    const result = verifyDetachedCms(signDetachedCms(BODY, device), Buffer.from('<plist>other</plist>'));
    expect(result).to.deep.include({ ok: false });
    expect(!result.ok && result.problem).to.deep.equal({
      reason: 'bad-signature',
      detail: 'Mdm-Signature: messageDigest does not match the request body',
    });
  });

  it('refuses a signature over a different body without signed attributes', () => {
    const cms = signDetachedCms(BODY, device, { signedAttributes: false });
    expect(reasonOf(verifyDetachedCms(cms, Buffer.concat([BODY, Buffer.from(' ')])))).to.equal('bad-signature');
  });

  it('refuses altered signed attributes (signingTime edited after signing)', () => {
    const cms = signDetachedCms(BODY, device);
    const signingTime = findUtcTime(cms);
    cms[signingTime] = cms[signingTime] === 0x31 ? 0x32 : 0x31;
    expect(reasonOf(verifyDetachedCms(cms, BODY))).to.equal('bad-signature');
  });

  it('refuses a flipped signature bit', () => {
    const cms = signDetachedCms(BODY, device);
    cms[cms.length - 5] ^= 0x01;
    expect(reasonOf(verifyDetachedCms(cms, BODY))).to.equal('bad-signature');
  });

  it("refuses a signature made with another key than the included certificate's", () => {
    const cms = signDetachedCms(BODY, { certPem: device.certPem, keyPem: otherDevice.keyPem });
    expect(reasonOf(verifyDetachedCms(cms, BODY))).to.equal('bad-signature');
  });

  it("refuses when the signer's certificate is not included, even with other certificates present", () => {
    const cms = signDetachedCms(BODY, device, { omitSignerCertificate: true, extraCertificatesPem: [otherDevice.certPem] });
    const result = verifyDetachedCms(cms, BODY);
    expect(!result.ok && result.problem).to.deep.equal({
      reason: 'malformed',
      detail: "Mdm-Signature: the signer's certificate is not included",
    });
  });

  it('refuses an attached (non-detached) signature', () => {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(BODY.toString('binary'));
    p7.addCertificate(device.certPem);
    p7.addSigner({ key: forge.pki.privateKeyFromPem(device.keyPem), certificate: device.certPem, digestAlgorithm: forge.pki.oids.sha256! });
    p7.sign();
    const cms = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    const result = verifyDetachedCms(cms, BODY);
    expect(!result.ok && result.problem.detail).to.equal('Mdm-Signature: the signature is not detached');
  });

  it('refuses two signers', () => {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(BODY.toString('binary'));
    for (const signer of [device, otherDevice]) {
      p7.addCertificate(signer.certPem);
      p7.addSigner({ key: forge.pki.privateKeyFromPem(signer.keyPem), certificate: signer.certPem, digestAlgorithm: forge.pki.oids.sha256! });
    }
    p7.sign({ detached: true });
    const cms = Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
    const result = verifyDetachedCms(cms, BODY);
    expect(!result.ok && result.problem.detail).to.equal('Mdm-Signature: expected exactly one signer');
  });

  it('refuses garbage, other ASN.1 and hostile nesting as malformed, without throwing', () => {
    const cases: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      random: randomBytes(600),
      'a certificate': device.der,
      'an empty SEQUENCE': Buffer.from('3000', 'hex'),
      'a huge declared length': Buffer.from('3084ffffffff3000', 'hex'),
      'deep indefinite nesting': Buffer.concat([Buffer.alloc(20_000, Buffer.from('3080', 'hex'))]),
      'deep definite nesting': nested(3000),
    };
    for (const [name, cms] of Object.entries(cases)) {
      const result = verifyDetachedCms(cms, BODY);
      expect(reasonOf(result), name).to.equal('malformed');
    }
  });

  it('never throws and never accepts a truncated signature, at any length', () => {
    const cms = signDetachedCms(BODY, device);
    for (let length = 0; length < cms.length; length++) {
      expect(reasonOf(verifyDetachedCms(cms.subarray(0, length), BODY)), `length ${length}`).to.not.equal('accepted');
    }
  });

  it('never throws on single-byte corruption anywhere', () => {
    const cms = signDetachedCms(BODY, device);
    for (let i = 0; i < cms.length; i++) {
      const corrupted = Buffer.from(cms);
      corrupted[i] ^= 0xff;
      expect(() => verifyDetachedCms(corrupted, BODY)).to.not.throw();
    }
  });

  it('formats the header the way Apple sends it: standard base64 of the DER', () => {
    const header = mdmSignature(BODY, device);
    expect(header).to.match(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(verifyDetachedCms(Buffer.from(header, 'base64'), BODY).ok).to.equal(true);
  });
});

const SIGNING_TIME_OID = Buffer.from('06092a864886f70d010905', 'hex');

// The signingTime value: the UTCTime (tag 0x17, length 13) after the signingTime OID.
function findUtcTime(der: Buffer): number {
  const oid = der.indexOf(SIGNING_TIME_OID);
  const at = oid < 0 ? -1 : der.indexOf(Buffer.from([0x17, 0x0d]), oid);
  if (at < 0) throw new Error('no signingTime in the CMS');
  return at + 2 + 11; // a seconds digit
}

function nested(depth: number): Buffer {
  let inner = Buffer.alloc(0);
  for (let i = 0; i < depth; i++) {
    const length = inner.length;
    const header = length < 128 ? Buffer.from([0x30, length]) : length < 256 ? Buffer.from([0x30, 0x81, length]) : Buffer.from([0x30, 0x82, length >> 8, length & 0xff]);
    inner = Buffer.concat([header, inner]);
  }
  return inner;
}
