import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import { ascii, container, craftBinaryPlist, obj } from './craft-binary.js';
import { expectRefused } from './expect-refused.js';
import { everyType } from './samples.js';

const TRUE = obj(0x09);

describe('binary plist: malformed and malicious input', () => {
  it('the crafting helper makes a valid plist when nothing is wrong', () => {
    expect(parsePlist(craftBinaryPlist([container(0xa0, 2, 1, 2), TRUE, ascii('ok')]))).to.deep.equal([true, 'ok']);
    expect(parsePlist(craftBinaryPlist([container(0xd0, 1, 1, 2), ascii('k'), TRUE]))).to.deep.equal({ k: true });
  });

  describe('layout', () => {
    it('refuses every truncation of a valid plist', () => {
      const valid = buildBinaryPlist(everyType());
      for (let length = 0; length < valid.length; length++) expectRefused(valid.subarray(0, length));
    });

    it('refuses a body shorter than header and trailer', () => {
      expectRefused(Buffer.from('bplist00'), /too short/);
      expectRefused(Buffer.concat([Buffer.from('bplist00'), Buffer.alloc(32)]), /too short/);
    });

    it('refuses other binary plist versions', () => {
      const body = craftBinaryPlist([TRUE]);
      body.write('15', 6, 'latin1');
      expectRefused(body, /bplist00/);
    });

    it('refuses offset and reference sizes outside 1-8', () => {
      expectRefused(craftBinaryPlist([TRUE], { offsetSize: 1, refSize: 0 }), /reference size/);
      const body = craftBinaryPlist([TRUE]);
      body[body.length - 32 + 6] = 0;
      expectRefused(body, /offset size/);
      body[body.length - 32 + 6] = 9;
      expectRefused(body, /offset size/);
    });

    it('refuses a huge or zero object count', () => {
      expectRefused(craftBinaryPlist([TRUE], { numObjects: 2n ** 64n - 1n }), /object count/);
      expectRefused(craftBinaryPlist([TRUE], { numObjects: 2n ** 40n }), /object count/);
      expectRefused(craftBinaryPlist([TRUE], { numObjects: 0n }), /object count/);
      expectRefused(craftBinaryPlist([TRUE, TRUE], { numObjects: 30n }), /offset table runs into the trailer/);
    });

    it('refuses a top object outside the table', () => {
      expectRefused(craftBinaryPlist([TRUE], { topObject: 1n }), /top object/);
      expectRefused(craftBinaryPlist([TRUE], { topObject: 2n ** 63n }), /top object/);
    });

    it('refuses an offset table outside the body or inside the header', () => {
      expectRefused(craftBinaryPlist([TRUE], { offsetTableOffset: 2n ** 64n - 1n }), /offset table/);
      expectRefused(craftBinaryPlist([TRUE], { offsetTableOffset: 4n }), /offset table/);
      expectRefused(craftBinaryPlist([TRUE], { offsetTableOffset: 40n }), /offset table/);
    });

    it('refuses object offsets into the header, the offset table, the trailer or beyond', () => {
      for (const offset of [0, 7, 9, 10, 200, 255]) {
        expectRefused(craftBinaryPlist([TRUE], { offsets: [offset] }), /offset is out of range/);
      }
      expectRefused(craftBinaryPlist([TRUE], { offsetSize: 8, offsets: [0] }), /offset is out of range/);
    });

    it('refuses references past the object table', () => {
      expectRefused(craftBinaryPlist([container(0xa0, 1, 5), TRUE]), /reference is out of range/);
      expectRefused(craftBinaryPlist([container(0xd0, 1, 1, 9), ascii('k')]), /reference is out of range/);
    });
  });

  describe('object graph', () => {
    it('refuses an array that contains itself', () => {
      expectRefused(craftBinaryPlist([container(0xa0, 1, 0)]), /contains itself/);
    });

    it('refuses a dictionary whose value is its parent', () => {
      expectRefused(craftBinaryPlist([container(0xa0, 1, 1), container(0xd0, 1, 2, 0), ascii('k')]), /contains itself/);
    });

    it('refuses two arrays that contain each other', () => {
      expectRefused(craftBinaryPlist([container(0xa0, 1, 1), container(0xa0, 1, 0)]), /contains itself/);
    });

    it('accepts the same object referenced twice (a DAG, as CF and Python write)', () => {
      const body = craftBinaryPlist([container(0xa0, 2, 1, 1), container(0xa0, 1, 2), ascii('x')]);
      expect(parsePlist(body)).to.deep.equal([['x'], ['x']]);
    });

    it('refuses nesting deeper than 64 and accepts 64', () => {
      const chain = (depth: number) =>
        craftBinaryPlist(
          Array.from({ length: depth }, (_, i) => (i === depth - 1 ? container(0xa0, 0) : container(0xa0, 1, i + 1))),
        );
      expect(() => parsePlist(chain(64))).not.to.throw();
      expectRefused(chain(65), /nesting deeper than 64/);
      expectRefused(chain(250), /nesting deeper than 64/);
    });

    it('refuses exponential expansion through shared references (binary billion laughs)', () => {
      // 40 arrays each holding the next one twice: 2^40 values from 300 bytes.
      const objects = Array.from({ length: 40 }, (_, i) => (i === 39 ? TRUE : container(0xa0, 2, i + 1, i + 1)));
      expectRefused(craftBinaryPlist(objects), /more than 250000 values/);
    });

    it('refuses one large string referenced many times past the decoded size budget', () => {
      const big = Buffer.concat([Buffer.of(0x5f, 0x12), Buffer.alloc(4), Buffer.alloc(200_000, 0x61)]);
      big.writeUInt32BE(200_000, 2);
      const refs = Buffer.concat([Buffer.of(0xaf, 0x11, 0x03, 0xe8), Buffer.alloc(1000, 1)]);
      expectRefused(craftBinaryPlist([refs, big]), /decoded size/);
    });

    it('honours smaller limits passed by the caller', () => {
      const body = buildBinaryPlist([[[1]]]);
      expect(() => parsePlist(body, { maxDepth: 2 })).to.throw(/nesting deeper than 2/);
      expect(() => parsePlist(body, { maxNodes: 3 })).to.throw(/more than 3 values/);
    });
  });

  describe('declared lengths', () => {
    const withCount = (marker: number, countBytes: number[]) => Buffer.of(marker | 0x0f, ...countBytes);

    it('refuses huge counts for arrays, dicts, data and strings', () => {
      for (const marker of [0xa0, 0xd0, 0x40, 0x50, 0x60]) {
        expectRefused(craftBinaryPlist([withCount(marker, [0x13, 0x40, 0, 0, 0, 0, 0, 0, 0])]), /length exceeds|runs past/);
        expectRefused(craftBinaryPlist([withCount(marker, [0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]), /length exceeds/);
        expectRefused(craftBinaryPlist([withCount(marker, [0x12, 0x7f, 0xff, 0xff, 0xff])]), /length exceeds|runs past/);
        expectRefused(craftBinaryPlist([withCount(marker, [0x10, 0xff])]), /length exceeds|runs past/);
        expectRefused(craftBinaryPlist([withCount(marker, [0x10, 0x10]), ascii('short')]), /runs past/);
      }
    });

    it('refuses a length that is not a small integer object', () => {
      expectRefused(craftBinaryPlist([withCount(0x50, [0x14, ...new Array(16).fill(0)])]), /malformed length/);
      expectRefused(craftBinaryPlist([withCount(0x50, [0x23, 0, 0, 0, 0, 0, 0, 0, 0])]), /malformed length/);
      expectRefused(craftBinaryPlist([withCount(0x50, [])]), /runs past|malformed length/);
    });

    it('refuses scalars cut short by the offset table', () => {
      for (const marker of [0x11, 0x12, 0x13, 0x14, 0x22, 0x23, 0x33]) expectRefused(craftBinaryPlist([Buffer.of(marker)]), /runs past/);
      expectRefused(craftBinaryPlist([Buffer.of(0x53, 0x61)]), /runs past/);
      expectRefused(craftBinaryPlist([Buffer.of(0x62, 0x00, 0x61)]), /runs past/);
    });
  });

  describe('object types', () => {
    const refusedMarkers: [string, Buffer, RegExp][] = [
      ['null', obj(0x00), /null/],
      ['fill byte', obj(0x0f), /unknown marker 0x0f/],
      ['unknown simple marker', obj(0x0c), /unknown marker/],
      ['32-byte integer', obj(0x15, ...new Array(32).fill(0)), /integer of 2\^5 bytes/],
      ['2-byte real', obj(0x21, 0, 0), /real of 2\^1 bytes/],
      ['4-byte date', obj(0x32, 0, 0, 0, 0), /date must be an 8-byte real/],
      ['NaN date', obj(0x33, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0), /date is out of range/],
      ['date past year 275760', obj(0x33, 0x7f, 0xe0, 0, 0, 0, 0, 0, 0), /date is out of range/],
      ['UTF-8 string (bplist1x only)', obj(0x71, 0x61), /unsupported marker 0x71/],
      ['UID', obj(0x80, 0x01), /UID/],
      ['set', obj(0xc0), /unsupported marker 0xc0/],
      ['ordered set', obj(0xb0), /unsupported marker/],
      ['marker 0xe0', obj(0xe0), /unsupported marker/],
      ['marker 0xff', obj(0xff), /unsupported marker/],
      ['non-ASCII byte in an ASCII string', obj(0x52, 0x61, 0xe9), /non-ASCII/],
      ['lone high surrogate in UTF-16', obj(0x61, 0xd8, 0x3d), /UTF-16 string is malformed/],
      ['lone low surrogate in UTF-16', obj(0x62, 0x00, 0x61, 0xde, 0x00), /UTF-16 string is malformed/],
      ['16-byte integer above 2^64 - 1', obj(0x14, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), /64-bit range/],
      ['16-byte integer below -2^63', obj(0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0), /64-bit range/],
    ];
    for (const [name, object, message] of refusedMarkers) {
      it(`refuses ${name}`, () => {
        expectRefused(craftBinaryPlist([object]), message);
      });
    }

    it('refuses a non-string dictionary key', () => {
      expectRefused(craftBinaryPlist([container(0xd0, 1, 1, 1), TRUE]), /key is not a string/);
      expectRefused(craftBinaryPlist([container(0xd0, 1, 1, 2), container(0xa0, 0), TRUE]), /key is not a string/);
    });

    it('refuses duplicate dictionary keys (two parsers must never disagree on a value)', () => {
      expectRefused(craftBinaryPlist([container(0xd0, 2, 1, 1, 2, 2), ascii('k'), TRUE]), /duplicate/);
      const utf16Key = Buffer.of(0x61, 0x00, 0x6b);
      expectRefused(craftBinaryPlist([container(0xd0, 2, 1, 2, 3, 3), ascii('k'), utf16Key, TRUE]), /duplicate/);
    });

    it('reads every integer width as CF writes them', () => {
      const cases: [Buffer, number | bigint][] = [
        [obj(0x10, 0xff), 255],
        [obj(0x11, 0xff, 0xff), 65_535],
        [obj(0x12, 0xff, 0xff, 0xff, 0xff), 4_294_967_295],
        [obj(0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), -1],
        [obj(0x13, 0x80, 0, 0, 0, 0, 0, 0, 0), -(2n ** 63n)],
        [obj(0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 2n ** 64n - 1n],
        [obj(0x14, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe), -2],
      ];
      for (const [object, value] of cases) expect(parsePlist(craftBinaryPlist([object]))).to.equal(value);
    });

    it('reads 4-byte reals', () => {
      expect(parsePlist(craftBinaryPlist([obj(0x22, 0x3f, 0xc0, 0, 0)]))).to.equal(1.5);
    });
  });
});
