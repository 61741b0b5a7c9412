import { expect } from 'chai';
import { ipAddressBytes } from '../../infrastructure/pki/ip-address.js';

describe('ipAddressBytes', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['fe80::1:2', 'fe800000000000000000000000010002'],
    ['2001:DB8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['fe80::1%eth0', undefined],
    ['mdm.example.com', undefined],
    ['256.1.1.1', undefined],
  ];
  for (const [text, hex] of cases) {
    it(`${text} → ${hex ?? 'not an IP'}`, () => {
      expect(ipAddressBytes(text)?.toString('hex')).to.equal(hex);
    });
  }
});
