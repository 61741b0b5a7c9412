import { expect } from 'chai';
import { PlistShapeError } from '../../infrastructure/plist/plist-errors.js';
import {
  asArray,
  asDict,
  getArray,
  getBool,
  getData,
  getDate,
  getDict,
  getInteger,
  getNumber,
  getOptionalArray,
  getOptionalBool,
  getOptionalData,
  getOptionalDate,
  getOptionalDict,
  getOptionalInteger,
  getOptionalNumber,
  getOptionalString,
  getOptionalStringArray,
  getString,
  getStringArray,
  hasKey,
} from '../../infrastructure/plist/plist-accessors.js';
import { PlistReal, type PlistDict } from '../../infrastructure/plist/plist-value.js';

const SECRET = Buffer.from('unlock-token-bytes');

function message(): PlistDict {
  return {
    UDID: 'ABC',
    Token: SECRET,
    AwaitingConfiguration: true,
    ErrorCode: 12,
    Big: 2n ** 60n,
    BatteryLevel: 0.5,
    Capacity: new PlistReal(64),
    Half: 1.5,
    When: new Date('2024-01-01T00:00:00Z'),
    Queries: ['UDID', 'OSVersion'],
    Mixed: ['UDID', 3],
    Nested: { Inner: 'x' },
  };
}

function shapeError(read: () => unknown): PlistShapeError {
  try {
    read();
  } catch (error) {
    expect(error).to.be.instanceOf(PlistShapeError);
    return error as PlistShapeError;
  }
  throw new Error('expected a PlistShapeError');
}

describe('plist accessors', () => {
  const dict = message();

  it('read each type', () => {
    expect(getString(dict, 'UDID')).to.equal('ABC');
    expect(getData(dict, 'Token')).to.equal(SECRET);
    expect(getBool(dict, 'AwaitingConfiguration')).to.equal(true);
    expect(getInteger(dict, 'ErrorCode')).to.equal(12);
    expect(getNumber(dict, 'BatteryLevel')).to.equal(0.5);
    expect(getNumber(dict, 'Capacity')).to.equal(64);
    expect(getNumber(dict, 'ErrorCode')).to.equal(12);
    expect(getNumber(dict, 'Big')).to.equal(2 ** 60);
    expect(getDate(dict, 'When')).to.deep.equal(new Date('2024-01-01T00:00:00Z'));
    expect(getStringArray(dict, 'Queries')).to.deep.equal(['UDID', 'OSVersion']);
    expect(getArray(dict, 'Mixed')).to.deep.equal(['UDID', 3]);
    expect(getDict(dict, 'Nested')).to.deep.equal({ Inner: 'x' });
    expect(hasKey(dict, 'UDID')).to.equal(true);
    expect(hasKey(dict, 'toString')).to.equal(false);
  });

  it('optional forms return undefined only for an absent key', () => {
    const readers = [
      getOptionalString,
      getOptionalData,
      getOptionalBool,
      getOptionalInteger,
      getOptionalNumber,
      getOptionalDate,
      getOptionalArray,
      getOptionalStringArray,
      getOptionalDict,
    ];
    for (const read of readers) {
      expect(read(dict, 'Absent')).to.equal(undefined);
      const wrongType = read === getOptionalDict ? 'UDID' : 'Nested';
      expect(() => read(dict, wrongType)).to.throw(PlistShapeError, `"${wrongType}" must be`);
    }
    expect(getOptionalString(dict, 'UDID')).to.equal('ABC');
    expect(() => getOptionalString(dict, 'ErrorCode')).to.throw(PlistShapeError, '"ErrorCode" must be a string, not integer');
    expect(() => getOptionalData(dict, 'UDID')).to.throw(PlistShapeError, '"UDID" must be data, not string');
    expect(() => getOptionalBool(dict, 'Queries')).to.throw(PlistShapeError, '"Queries" must be a boolean, not array');
  });

  it('name the missing key', () => {
    const error = shapeError(() => getString(dict, 'SerialNumber'));
    expect(error.message).to.equal('"SerialNumber" is missing (expected a string)');
    expect(error.key).to.equal('SerialNumber');
    expect(error.actual).to.equal('nothing');
  });

  it('name the key and both types, never the value', () => {
    const error = shapeError(() => getString(dict, 'Token'));
    expect(error.message).to.equal('"Token" must be a string, not data');
    expect(error.message).not.to.include(SECRET.toString('base64'));
    expect(shapeError(() => getData(dict, 'UDID')).message).not.to.include('ABC');
  });

  it('tell integers from reals and refuse integers past 2^53', () => {
    expect(shapeError(() => getInteger(dict, 'Half')).message).to.equal('"Half" must be an integer, not real');
    expect(shapeError(() => getInteger(dict, 'Big')).message).to.equal('"Big" must be an integer, not integer');
    expect(shapeError(() => getNumber(dict, 'UDID')).message).to.equal('"UDID" must be a number, not string');
  });

  it('refuse arrays holding anything but strings where strings are expected', () => {
    expect(shapeError(() => getStringArray(dict, 'Mixed')).message).to.equal('"Mixed" must be an array of strings, not array');
  });

  it('never read inherited properties', () => {
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(shapeError(() => getDict(dict, key)).actual).to.equal('nothing');
      expect(getOptionalString(dict, key)).to.equal(undefined);
    }
  });

  it('asDict and asArray check the top-level shape', () => {
    expect(asDict(dict)).to.equal(dict);
    expect(asArray(['a'])).to.deep.equal(['a']);
    expect(shapeError(() => asDict(['a'], 'check-in')).message).to.equal('"check-in" must be a dict, not array');
    expect(shapeError(() => asDict(SECRET)).message).to.equal('"property list" must be a dict, not data');
    expect(shapeError(() => asDict(new Date())).message).to.include('not date');
    expect(shapeError(() => asDict(new PlistReal(1))).message).to.include('not real');
    expect(shapeError(() => asDict(undefined, 'report')).message).to.equal('"report" is missing (expected a dict)');
    expect(shapeError(() => asArray({}, 'ErrorChain')).message).to.equal('"ErrorChain" must be an array, not dict');
    expect(shapeError(() => getDict(dict, 'Queries')).message).to.equal('"Queries" must be a dict, not array');
  });
});
