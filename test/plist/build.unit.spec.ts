import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { buildXmlPlist } from '../../infrastructure/plist/build-xml-plist.js';
import { PlistBuildError } from '../../infrastructure/plist/plist-errors.js';
import { PlistReal, type PlistInput } from '../../infrastructure/plist/plist-value.js';

const HEADER = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

/** The body of the document between <plist> and </plist>. */
const body = (value: PlistInput) => {
  const xml = buildXmlPlist(value);
  expect(xml.startsWith(HEADER)).to.equal(true);
  expect(xml.endsWith('\n</plist>\n')).to.equal(true);
  return xml.slice(HEADER.length, -'\n</plist>\n'.length);
};

describe('plist builders', () => {
  describe('buildXmlPlist', () => {
    it('writes a command payload as Apple does', () => {
      const command = {
        CommandUUID: '0C7B5F3A-9D41-4C8E-B2A6-1E5D3F9A7C20',
        Command: { RequestType: 'DeviceInformation', Queries: ['UDID', 'BatteryLevel'] },
      };
      expect(buildXmlPlist(command)).to.equal(`${HEADER}<dict>
\t<key>CommandUUID</key>
\t<string>0C7B5F3A-9D41-4C8E-B2A6-1E5D3F9A7C20</string>
\t<key>Command</key>
\t<dict>
\t\t<key>RequestType</key>
\t\t<string>DeviceInformation</string>
\t\t<key>Queries</key>
\t\t<array>
\t\t\t<string>UDID</string>
\t\t\t<string>BatteryLevel</string>
\t\t</array>
\t</dict>
</dict>
</plist>
`);
    });

    it('tells integers from reals', () => {
      expect(body(1)).to.equal('<integer>1</integer>');
      expect(body(-42)).to.equal('<integer>-42</integer>');
      expect(body(1.5)).to.equal('<real>1.5</real>');
      expect(body(new PlistReal(1))).to.equal('<real>1</real>');
      expect(body(2n ** 64n - 1n)).to.equal('<integer>18446744073709551615</integer>');
      expect(body(1e19)).to.equal('<integer>10000000000000000000</integer>');
      expect(body(1e20)).to.equal('<real>100000000000000000000</real>');
      expect(body(1e300)).to.equal('<real>1e+300</real>');
      expect(body(Number.NaN)).to.equal('<real>nan</real>');
      expect(body(-Infinity)).to.equal('<real>-infinity</real>');
    });

    it('escapes markup, keeps quotes and carriage returns', () => {
      expect(body('a < b && c > d ]]> "q" \'s\'')).to.equal('<string>a &lt; b &amp;&amp; c &gt; d ]]&gt; "q" \'s\'</string>');
      expect(body({ '<key>': 'x\r\ny' })).to.equal('<dict>\n\t<key>&lt;key&gt;</key>\n\t<string>x&#13;\ny</string>\n</dict>');
      expect(body('Grüße 😀')).to.equal('<string>Grüße 😀</string>');
    });

    it('writes dates in UTC without milliseconds and data as base64', () => {
      expect(body(new Date('2024-05-06T07:08:09.999Z'))).to.equal('<date>2024-05-06T07:08:09Z</date>');
      expect(body(Buffer.from('hello'))).to.equal('<data>aGVsbG8=</data>');
      expect(body(Buffer.alloc(0))).to.equal('<data></data>');
    });

    it('writes empty containers and booleans as empty elements', () => {
      expect(body({ a: [], b: {}, c: true, d: false, e: '' })).to.equal(
        '<dict>\n\t<key>a</key>\n\t<array/>\n\t<key>b</key>\n\t<dict/>\n\t<key>c</key>\n\t<true/>\n\t<key>d</key>\n\t<false/>\n\t<key>e</key>\n\t<string></string>\n</dict>',
      );
    });

    it('leaves out undefined dictionary values', () => {
      expect(body({ Message: undefined, PhoneNumber: '123' })).to.equal('<dict>\n\t<key>PhoneNumber</key>\n\t<string>123</string>\n</dict>');
    });

    it('refuses control characters XML cannot carry (binary can)', () => {
      expect(() => buildXmlPlist({ DeviceName: 'bad\u0001name' })).to.throw(PlistBuildError, /root.DeviceName/);
      expect(() => buildXmlPlist({ ['bad\u0000key']: 1 })).to.throw(PlistBuildError, /control character/);
      expect(() => buildBinaryPlist({ DeviceName: 'bad\u0001name' })).not.to.throw();
    });

    it('refuses dates outside years 0-9999', () => {
      expect(() => buildXmlPlist(new Date('+010000-01-01T00:00:00Z'))).to.throw(PlistBuildError, /years/);
    });
  });

  describe('both builders refuse what a plist cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push([cyclicArray]);
    let deep: unknown = [];
    for (let i = 0; i < 1000; i++) deep = [deep];

    const cases: [string, unknown, RegExp][] = [
      ['null', { a: null }, /null at root.a/],
      ['undefined as the root', undefined, /undefined at root/],
      ['undefined in an array', [1, undefined], /undefined at root\[1\]/],
      ['a function', { f: () => 1 }, /function at root.f/],
      ['a symbol', Symbol('x'), /symbol/],
      ['a Map', new Map(), /Map at root/],
      ['a class instance', new (class Device {})(), /Device at root/],
      ['an invalid Date', new Date(Number.NaN), /invalid date/],
      ['an integer above 2^64 - 1', 2n ** 64n, /64-bit range/],
      ['an integer below -2^63', -(2n ** 63n) - 1n, /64-bit range/],
      ['a lone surrogate in a string', { s: 'a\uD800b' }, /lone UTF-16 surrogate/],
      ['a lone surrogate in a key', { ['\uDC00']: 1 }, /lone UTF-16 surrogate/],
      ['a dictionary that contains itself', cyclic, /root.self contains itself/],
      ['an array that contains itself', cyclicArray, /contains itself/],
      ['nesting deeper than 512', deep, /nesting deeper than 512/],
    ];
    for (const [name, value, message] of cases) {
      it(`refuses ${name}`, () => {
        expect(() => buildXmlPlist(value as PlistInput)).to.throw(PlistBuildError, message);
        expect(() => buildBinaryPlist(value as PlistInput)).to.throw(PlistBuildError, message);
      });
    }

    it('accepts the same object twice when it is not its own ancestor', () => {
      const shared = { a: 1 };
      expect(() => buildXmlPlist([shared, shared])).not.to.throw();
      expect(() => buildBinaryPlist([shared, shared])).not.to.throw();
    });
  });

  describe('buildBinaryPlist', () => {
    it('stores equal strings once', () => {
      const once = buildBinaryPlist(['a-long-repeated-string']);
      const thrice = buildBinaryPlist(['a-long-repeated-string', 'a-long-repeated-string', 'a-long-repeated-string']);
      // Two more one-byte references, no more objects.
      expect(thrice.length - once.length).to.equal(2);
    });

    it('writes the trailer as CF does: top object 0, smallest sizes that fit', () => {
      const binary = buildBinaryPlist({ a: true });
      const trailer = binary.subarray(binary.length - 32);
      expect(trailer.readUInt8(6)).to.equal(1);
      expect(trailer.readUInt8(7)).to.equal(1);
      expect(trailer.readBigUInt64BE(8)).to.equal(3n);
      expect(trailer.readBigUInt64BE(16)).to.equal(0n);
      expect(binary.subarray(0, 8).toString('latin1')).to.equal('bplist00');
    });
  });
});
