import { expect } from 'chai';
import { cachedPublicKeys, parsePublicKey } from '../../infrastructure/http/device/identity/signer-key-cache.js';
import { createTestCa, issueDeviceIdentity } from '../support/pki.js';

describe('signer public keys', function () {
  this.timeout(20_000);

  it('decodes a key once per certificate and keeps at most maxEntries', async () => {
    const testCa = await createTestCa('Key Cache CA');
    const [a, b] = [await issueDeviceIdentity(testCa, 'UDID-A'), await issueDeviceIdentity(testCa, 'UDID-B')];
    const publicKeyOf = cachedPublicKeys(1);
    const first = publicKeyOf(a.der);
    expect(publicKeyOf(Buffer.from(a.der))).to.equal(first);
    expect(first.equals(parsePublicKey(a.der))).to.equal(true);
    publicKeyOf(b.der);
    expect(publicKeyOf(a.der)).to.not.equal(first);
  });

  it('throws on bytes that are not a certificate (the verifier turns that into malformed)', () => {
    expect(() => cachedPublicKeys()(Buffer.from('junk'))).to.throw();
  });
});
