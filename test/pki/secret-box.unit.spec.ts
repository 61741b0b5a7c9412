import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { SecretBoxError } from '../../application/ports/secret-box.js';
import { AesGcmSecretBox } from '../../infrastructure/pki/aes-gcm-secret-box.js';

describe('AesGcmSecretBox', () => {
  const key = randomBytes(32);
  const box = new AesGcmSecretBox(key);
  const context = 'device-1234/unlock-token';

  function expectSecretBoxError(action: () => unknown, secret?: string): SecretBoxError {
    let caught: unknown;
    try {
      action();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(SecretBoxError);
    if (secret) expect((caught as Error).message).to.not.include(secret);
    return caught as SecretBoxError;
  }

  it('round-trips strings and buffers', () => {
    expect(box.open(box.seal('hunter2', context), context).toString()).to.equal('hunter2');
    const bytes = randomBytes(100);
    expect(box.open(box.seal(bytes, context), context).equals(bytes)).to.equal(true);
    expect(box.open(box.seal('', context), context).length).to.equal(0);
  });

  it('writes sb1.<keyId>.<base64url> with keyId = first 8 hex of SHA-256(key)', () => {
    const sealed = box.seal('x', context);
    expect(sealed).to.match(/^sb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[1]).to.equal(createHash('sha256').update(key).digest('hex').slice(0, 8));
    // 12-byte IV + 1 byte + 16-byte tag.
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url')).to.have.length(29);
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', context)).to.not.equal(box.seal('same', context));
  });

  it('never shows the secret in the sealed value', () => {
    const secret = 'SuperSecretUnlockToken-0123456789';
    const sealed = box.seal(secret, context);
    expect(sealed).to.not.include(secret);
    expect(sealed).to.not.include(Buffer.from(secret).toString('base64'));
    expect(sealed).to.not.include(Buffer.from(secret).toString('base64url'));
    expect(sealed).to.not.include(Buffer.from(secret).toString('hex'));
  });

  it('fails under another context', () => {
    const secret = 'context-bound';
    const sealed = box.seal(secret, context);
    expectSecretBoxError(() => box.open(sealed, 'device-9999/unlock-token'), secret);
  });

  it('fails on any tampering', () => {
    const sealed = box.seal('tamper me', context);
    const payload = Buffer.from(sealed.split('.')[2]!, 'base64url');
    for (const index of [0, 12, payload.length - 1]) {
      const copy = Buffer.from(payload);
      copy[index]! ^= 0x01;
      expectSecretBoxError(() => box.open(`sb1.${box.keyId}.${copy.toString('base64url')}`, context));
    }
    expectSecretBoxError(() => box.open(sealed.slice(0, -4), context));
  });

  it('fails under another key, naming both key ids but not the value', () => {
    const sealed = box.seal('wrong key', context);
    const error = expectSecretBoxError(() => new AesGcmSecretBox(randomBytes(32)).open(sealed, context));
    expect(error.message).to.include(box.keyId);
    expect(error.message).to.not.include(sealed);
  });

  it('fails on a same-id box whose key differs (forged key id)', () => {
    const other = new AesGcmSecretBox(randomBytes(32));
    const forged = other.seal('x', context).replace(`.${other.keyId}.`, `.${box.keyId}.`);
    expectSecretBoxError(() => box.open(forged, context));
  });

  it('refuses values that are not sealed, without echoing them', () => {
    expectSecretBoxError(() => box.open('plain-unlock-token', context), 'plain-unlock-token');
    expectSecretBoxError(() => box.open('sb1.zzzz.abc', context));
  });

  it('recognises sealed values', () => {
    expect(box.isSealed(box.seal('x', context))).to.equal(true);
    expect(new AesGcmSecretBox(randomBytes(32)).isSealed(box.seal('x', context))).to.equal(true);
    for (const value of ['', 'hunter2', 'sb1.', 'sb1.0123abcd.', 'sb1.0123abcd.AAAA', 'sb2.0123abcd.' + 'A'.repeat(40)]) {
      expect(box.isSealed(value), value).to.equal(false);
    }
  });

  it('requires a 32-byte key', () => {
    expect(() => new AesGcmSecretBox(randomBytes(16))).to.throw(/32-byte/);
  });
});

describe('AesGcmSecretBox fingerprints', () => {
  const key = Buffer.alloc(32, 7);
  it('are equal for the same secret and context, and differ otherwise', () => {
    const box = new AesGcmSecretBox(key);
    const a = box.fingerprint('unlock-token-123', 'device/X/unlock-token');
    expect(box.fingerprint(Buffer.from('unlock-token-123'), 'device/X/unlock-token')).to.equal(a);
    expect(box.fingerprint('unlock-token-124', 'device/X/unlock-token')).to.not.equal(a);
    expect(box.fingerprint('unlock-token-123', 'device/Y/unlock-token')).to.not.equal(a);
    expect(new AesGcmSecretBox(Buffer.alloc(32, 8)).fingerprint('unlock-token-123', 'device/X/unlock-token')).to.not.equal(a);
    expect(a).to.match(/^fp1\.[0-9a-f]{8}\.[0-9a-f]{32}$/);
    expect(a).to.not.contain(Buffer.from('unlock-token-123').toString('hex'));
  });
});
