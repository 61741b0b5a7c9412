import { expect } from 'chai';
import { buildBinaryPlist } from '../../infrastructure/plist/build-binary-plist.js';
import { buildXmlPlist } from '../../infrastructure/plist/build-xml-plist.js';
import { parsePlist } from '../../infrastructure/plist/parse-plist.js';
import { PlistReal } from '../../infrastructure/plist/plist-value.js';
import { AUTHENTICATE, DEVICE_INFORMATION_REPORT, TOKEN_UPDATE } from './apple-messages.js';
import { pythonAvailable, pythonReads, pythonToBinary, pythonWrites } from './python-plistlib.js';
import { everyType, largeValue } from './samples.js';
import { tagModel } from './tagged-model.js';

// Python tags its own value too, so the expectation is plistlib's reading, not a copy kept here.
// `many` and `blob` push its binary writer to 2-byte references and 4-byte offsets.
const PYTHON_SAMPLE = `
sample = {
    'ascii': 'plain', 'unicode': 'Grüße, 東京 😀', 'empty': '', 'markup': '<a & b> ]]> "q"',
    'zero': 0, 'small': 7, 'byte': 255, 'short': 65535, 'word': 2**32 - 1, 'long': 2**32,
    'int64_max': 2**63 - 1, 'uint64_max': 2**64 - 1, 'minus_one': -1, 'int64_min': -2**63,
    'real': 1.5, 'whole_real': 1.0, 'negative_real': -0.25, 'tiny': 5e-324, 'huge': 1.7976931348623157e308,
    'infinite': float('inf'),
    'yes': True, 'no': False,
    'date': datetime.datetime(2024, 2, 29, 12, 34, 56), 'before_2001': datetime.datetime(1999, 12, 31, 23, 59, 59),
    'data': bytes(range(256)), 'empty_data': b'',
    'mixed': [1, 'two', 3.0, [], {}], 'empty_array': [], 'empty_dict': {},
    'nested': {'a': {'b': {'c': [{'d': 'deep'}]}}},
    'shared': ['same', 'same', 'same'],
    'many': ['value-%d' % i for i in range(300)],
    'blob': b'\\xab' * 70000,
    'long_unicode': '\\u00e9' * 1000,
}
`;

describe('plist codec against Python plistlib', function () {
  this.timeout(20_000);

  before(function () {
    if (!pythonAvailable) {
      console.log('    (python3 with plistlib not on PATH: skipping the plistlib cross-checks)');
      this.skip();
    }
  });

  describe('Python reads what we write', () => {
    const sample = everyType();

    it('our XML', () => {
      expect(pythonReads(Buffer.from(buildXmlPlist(sample)))).to.deep.equal(tagModel(sample));
    });

    it('our binary (UTF-16 strings, 16-byte integers, shared references)', () => {
      expect(pythonReads(buildBinaryPlist(sample))).to.deep.equal(tagModel(sample));
    });

    it('our binary with 2-byte references and 4-byte offsets', () => {
      expect(pythonReads(buildBinaryPlist(largeValue()))).to.deep.equal(tagModel(largeValue()));
    });

    it('whole reals as reals and whole numbers as integers', () => {
      const value = { BatteryLevel: new PlistReal(1), DeviceCapacity: new PlistReal(64), Count: 64 };
      const expected = { dict: { BatteryLevel: { real: '3ff0000000000000' }, DeviceCapacity: { real: '4050000000000000' }, Count: { int: '64' } } };
      expect(pythonReads(Buffer.from(buildXmlPlist(value)))).to.deep.equal(expected);
      expect(pythonReads(buildBinaryPlist(value))).to.deep.equal(expected);
    });

    it('binary dates to the millisecond', () => {
      const value = { date: new Date('2024-05-06T07:08:09.123Z') };
      expect(pythonReads(buildBinaryPlist(value))).to.deep.equal({ dict: { date: { date: '2024-05-06T07:08:09.123Z' } } });
    });
  });

  describe('we read what Python writes', () => {
    let written: ReturnType<typeof pythonWrites>;
    before(() => {
      written = pythonWrites(PYTHON_SAMPLE);
    });

    it('plistlib XML', () => {
      expect(tagModel(parsePlist(written.xml, { preserveReals: true }))).to.deep.equal(written.tagged);
    });

    it('plistlib binary', () => {
      expect(written.binary.subarray(0, 8).toString('latin1')).to.equal('bplist00');
      expect(tagModel(parsePlist(written.binary, { preserveReals: true }))).to.deep.equal(written.tagged);
    });

    it('gives the same model from both formats', () => {
      expect(parsePlist(written.xml)).to.deep.equal(parsePlist(written.binary));
    });
  });

  it('reads Apple-style check-ins and reports that plistlib turned into binary', () => {
    for (const message of [AUTHENTICATE, TOKEN_UPDATE, DEVICE_INFORMATION_REPORT]) {
      const xml = Buffer.from(message, 'utf8');
      expect(parsePlist(pythonToBinary(xml))).to.deep.equal(parsePlist(xml));
    }
  });
});
