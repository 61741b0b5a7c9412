import { expect } from 'chai';
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { RsaKeyTransport, wrapKey } from '../../infrastructure/scep/rsa-key-transport.js';
import { pooledKeyPair, type TestKeyPair } from '../support/pki.js';

describe('RsaKeyTransport (PKCS#1 v1.5 unwrapping with implicit rejection)', function () {
  this.timeout(20_000);
  let key: TestKeyPair;
  let transport: RsaKeyTransport;

  before(() => {
    key = pooledKeyPair();
    transport = new RsaKeyTransport(key.privateKey);
  });

  function raw(block: Buffer): Buffer {
    return publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, block);
  }

  function block(type: number, message: Buffer, paddingLength = 256 - 3 - message.length): Buffer {
    const padding = Buffer.from(randomBytes(paddingLength).map((byte) => byte || 1));
    const body = Buffer.concat([Buffer.from([0, type]), padding, Buffer.from([0]), message]);
    return Buffer.concat([body, Buffer.alloc(256 - body.length, 0x11)]);
  }

  for (const length of [8, 16, 24, 32]) {
    it(`unwraps a ${length}-byte key that Node's PKCS#1 encryption wrapped`, () => {
      const contentKey = randomBytes(length);
      expect(transport.unwrap(wrapKey(key.publicKey, contentKey), length).equals(contentKey)).to.equal(true);
    });
  }

  // Each block is otherwise well formed, with a message of `length` bytes at its end.
  const malformed: [string, number, () => Buffer][] = [
    ['block type 1', 32, () => block(1, randomBytes(32))],
    ['a leading byte that is not zero', 32, () => Buffer.concat([Buffer.from([1]), block(2, randomBytes(32)).subarray(1)])],
    ['fewer than 8 padding bytes', 246, () => block(2, randomBytes(246), 7)],
    ['no zero separator', 32, () => Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(254, 0x42)])],
  ];

  for (const [name, length, make] of malformed) {
    it(`substitutes a key for ${name}: right length, deterministic, never the embedded one`, () => {
      const bad = make();
      expect(bad).to.have.length(256);
      const ciphertext = raw(bad);
      const first = transport.unwrap(ciphertext, length);
      expect(first).to.have.length(length);
      expect(first.equals(bad.subarray(256 - length))).to.equal(false);
      expect(transport.unwrap(ciphertext, length).equals(first)).to.equal(true);
    });
  }

  it('accepts exactly 8 padding bytes (the minimum)', () => {
    const message = randomBytes(245);
    expect(transport.unwrap(raw(block(2, message, 8)), 245).equals(message)).to.equal(true);
  });

  it('substitutes a key when a well-padded message has the wrong length for the cipher', () => {
    const contentKey = randomBytes(16);
    const unwrapped = transport.unwrap(wrapKey(key.publicKey, contentKey), 32);
    expect(unwrapped).to.have.length(32);
    expect(unwrapped.subarray(16).equals(contentKey)).to.equal(false);
  });

  it('gives different ciphertexts different substitutes, and other RA keys other substitutes', () => {
    const a = transport.unwrap(raw(block(1, randomBytes(32))), 32);
    const b = transport.unwrap(raw(block(1, randomBytes(32))), 32);
    expect(a.equals(b)).to.equal(false);
    const ciphertext = raw(block(1, randomBytes(32)));
    const other = new RsaKeyTransport(pooledKeyPair().privateKey);
    expect(other.unwrap(ciphertext, 32).equals(transport.unwrap(ciphertext, 32))).to.equal(false);
    // Above the modulus: the RSA operation itself refuses, and a substitute comes back all the same.
    expect(transport.unwrap(Buffer.alloc(256, 0xff), 24)).to.have.length(24);
  });
});
