import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { decodeBase64, sha256Hex } from '../../domain/commands/results/digest.js';

describe('pure SHA-256 and base64 (domain/commands/results/digest)', () => {
  it('matches node:crypto for every length across the padding boundaries, and for a large input', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(sha256Hex(bytes), `length ${length}`).to.equal(createHash('sha256').update(bytes).digest('hex'));
    }
    const large = randomBytes(1_000_003);
    expect(sha256Hex(large)).to.equal(createHash('sha256').update(large).digest('hex'));
  });

  it('knows the FIPS 180-2 test vectors', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array())).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('decodes base64 as Buffer does, with or without padding and line breaks', () => {
    for (let length = 0; length <= 100; length++) {
      const bytes = randomBytes(length);
      const encoded = bytes.toString('base64');
      expect(Buffer.from(decodeBase64(encoded)!).equals(bytes), encoded).to.equal(true);
      expect(Buffer.from(decodeBase64(encoded.replace(/=+$/, ''))!).equals(bytes)).to.equal(true);
      expect(Buffer.from(decodeBase64(encoded.replace(/(.{8})/g, '$1\n\t'))!).equals(bytes)).to.equal(true);
    }
  });

  it('refuses what is not base64', () => {
    for (const bad of ['A', 'AB!C', 'ab-_', '====', 'AAAA=A', 'é']) expect(decodeBase64(bad), bad).to.equal(undefined);
  });
});
