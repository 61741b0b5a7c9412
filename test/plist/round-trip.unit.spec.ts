import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { buildXmlPlist } from '../../infrastructure/plist/build-xml-plist.js';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import { PlistReal, type PlistInput, type PlistValue } from '../../infrastructure/plist/plist-value.js';
import { everyType, largeValue } from './samples.js';

const exact = { preserveReals: true };
const viaXml = (value: PlistInput) => parsePlist(Buffer.from(buildXmlPlist(value), 'utf8'), exact);
const viaBinary = (value: PlistInput) => parsePlist(buildBinaryPlist(value), exact);

describe('plist round trips', () => {
  for (const [format, roundTrip] of [
    ['XML', viaXml],
    ['binary', viaBinary],
  ] as const) {
    describe(`model → ${format} → model`, () => {
      const sample = everyType();
      for (const [key, value] of Object.entries(sample)) {
        it(`keeps ${key}`, () => {
          expect(roundTrip({ [key]: value })).to.deep.equal({ [key]: value });
        });
      }

      it('keeps the whole sample at once (shared strings, key order)', () => {
        const back = roundTrip(sample);
        expect(back).to.deep.equal(sample);
        expect(Object.keys(back as object)).to.deep.equal(Object.keys(sample));
      });

      it('keeps a value with hundreds of objects and a 70 KB data blob', () => {
        expect(roundTrip(largeValue())).to.deep.equal(largeValue());
      });

      for (const root of ['just a string', 42, new PlistReal(2.5), true, [], {}, Buffer.from('root'), new Date('2030-06-01T00:00:00Z')]) {
        it(`keeps a ${root.constructor.name} as the root`, () => {
          expect(roundTrip(root)).to.deep.equal(root);
        });
      }
    });
  }

  it('XML text → model → binary → model → XML text is unchanged', () => {
    const xml = buildXmlPlist(everyType());
    const model = parsePlist(Buffer.from(xml), exact);
    expect(buildXmlPlist(parsePlist(buildBinaryPlist(model), exact))).to.equal(xml);
  });

  it('binary → model → XML → model → binary is unchanged', () => {
    const binary = buildBinaryPlist(everyType());
    const model = parsePlist(binary, exact);
    expect(buildBinaryPlist(parsePlist(Buffer.from(buildXmlPlist(model)), exact)).equals(binary)).to.equal(true);
  });

  it('reads reals as plain numbers unless asked to preserve them', () => {
    const xml = Buffer.from(buildXmlPlist({ whole: new PlistReal(1), half: 0.5 }));
    expect(parsePlist(xml)).to.deep.equal({ whole: 1, half: 0.5 });
    expect(parsePlist(xml, exact)).to.deep.equal({ whole: new PlistReal(1), half: new PlistReal(0.5) });
    expect(parsePlist(buildBinaryPlist({ whole: new PlistReal(1) }))).to.deep.equal({ whole: 1 });
  });

  it('gives integers beyond ±2^53 as bigint and the rest as number', () => {
    const value = { safe: 2 ** 53 - 1, unsafe: 2n ** 53n, negativeUnsafe: -(2n ** 60n) };
    for (const back of [viaXml(value), viaBinary(value)]) {
      expect(back).to.deep.equal(value);
      expect(typeof (back as Record<string, unknown>).safe).to.equal('number');
    }
  });

  it('keeps special reals: NaN, ±Infinity, -0', () => {
    const value = [new PlistReal(Number.NaN), new PlistReal(Infinity), new PlistReal(-Infinity), new PlistReal(-0)];
    for (const back of [viaXml(value), viaBinary(value)] as PlistReal[][]) {
      expect(back.map((real) => real.value)).to.deep.equal([Number.NaN, Infinity, -Infinity, -0]);
      expect(Object.is(back[3]!.value, -0)).to.equal(true);
    }
  });

  it('keeps milliseconds of dates in binary; XML drops them as Apple does', () => {
    const date = new Date('2024-05-06T07:08:09.123Z');
    expect(viaBinary(date)).to.deep.equal(date);
    expect(viaXml(date)).to.deep.equal(new Date('2024-05-06T07:08:09Z'));
  });

  it('writes UTF-16 strings in binary only when a string is not ASCII', () => {
    const ascii = buildBinaryPlist('abc');
    const unicode = buildBinaryPlist('äbc');
    expect(ascii[8]).to.equal(0x53);
    expect(unicode[8]).to.equal(0x63);
    expect(unicode.subarray(9, 15).toString('hex')).to.equal('00e400620063');
    expect(parsePlist(buildBinaryPlist('😀'))).to.equal('😀');
  });

  it('accepts Uint8Array as data and leaves out undefined dictionary values', () => {
    const value = { data: new Uint8Array([1, 2, 3]), skipped: undefined, kept: 'yes' };
    expect(viaXml(value)).to.deep.equal({ data: Buffer.of(1, 2, 3), kept: 'yes' });
    expect(viaBinary(value)).to.deep.equal({ data: Buffer.of(1, 2, 3), kept: 'yes' });
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const xml = Buffer.from(
      '<plist><dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict></plist>',
    );
    const parsed = parsePlist(xml) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.keys(parsed)).to.deep.equal(['__proto__']);
    expect(viaBinary(parsed as PlistValue)).to.deep.equal(parsed);
    expect(Object.keys(viaBinary(parsed as PlistValue) as object)).to.deep.equal(['__proto__']);
  });
});
